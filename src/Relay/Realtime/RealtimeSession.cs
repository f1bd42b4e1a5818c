using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using NewApi.Billing.Ledger;
using NewApi.Config;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Realtime;

/// <summary>
/// One proxied realtime session: two pumps copy messages both ways (text and binary, fragments reassembled up to
/// 8 MiB), each receive bounded by STREAMING_TIMEOUT of silence. The upstream pump charges every
/// <c>response.done</c> before forwarding it, and ends the session with an <c>insufficient_user_quota</c> error event
/// once the caller's balance is spent. When either side closes or fails, both are closed, and whatever was counted
/// since the last response is charged. Sends to a socket are serialised (a pump and the closer may both write).
/// </summary>
internal sealed class RealtimeSession(WebSocket client, RealtimeUpstream upstream, RelayContext rc, Hold hold, RealtimeMeter meter,
    RealtimeBilling billing, RelaySection config, TimeProvider time)
{
    private const int ChunkBytes = 64 * 1024;
    private const int MaxMessageBytes = 8 << 20;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _toClient = new(1, 1);
    private readonly SemaphoreSlim _toUpstream = new(1, 1);
    private long _charged;
    private (long User, long? Token) _start;

    public async Task RunAsync(CancellationToken clientGone)
    {
        _start = billing.Balances(rc);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        var fromClient = PumpAsync(client, upstream.Socket, toUpstream: true, end.Token);
        var fromUpstream = PumpAsync(upstream.Socket, client, toUpstream: false, end.Token);
        var (status, reason) = await await Task.WhenAny(fromClient, fromUpstream);
        await CloseAsync(client, _toClient, status, reason);
        await CloseAsync(upstream.Socket, _toUpstream, status, reason);
        var both = Task.WhenAll(Quietly(fromClient), Quietly(fromUpstream));
        // Let each side answer the close (its pump then ends on the Close frame); cancelling at once would reset the
        // connection under a close frame the peer has not read yet.
        if (await Task.WhenAny(both, Task.Delay(CloseGrace, time, CancellationToken.None)) != both) await end.CancelAsync();
        await both;
        if (meter.Pending() is { } pending)
            await billing.ChargeAsync(rc, upstream.Channel, upstream.UpstreamModel, upstream.ConnectMs, pending, estimated: true);
    }

    /// <summary>Copies messages until a close, an error or cancellation; returns the close to pass on.</summary>
    private async Task<(WebSocketCloseStatus, string)> PumpAsync(WebSocket from, WebSocket to, bool toUpstream, CancellationToken ct)
    {
        var gate = toUpstream ? _toUpstream : _toClient;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                int length;
                WebSocketMessageType type;
                (buffer, length, type) = await ReceiveAsync(from, buffer, ct);
                if (type == WebSocketMessageType.Close) return (from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription ?? "");
                if (length < 0) return (WebSocketCloseStatus.MessageTooBig, "message too large");
                var message = buffer.AsMemory(0, length);
                var stop = type != WebSocketMessageType.Text ? null : toUpstream ? Observe(message) : await ChargeAsync(message);
                await SendAsync(to, gate, message, type, ct);
                if (stop is not null)
                {
                    await SendAsync(to, gate, Encoding.UTF8.GetBytes(stop), WebSocketMessageType.Text, ct);
                    return (WebSocketCloseStatus.PolicyViolation, "insufficient quota");
                }
                if (buffer.Length > ChunkBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            return (WebSocketCloseStatus.EndpointUnavailable, toUpstream ? "client connection lost" : "upstream connection lost");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string? Observe(ReadOnlyMemory<byte> message)
    {
        meter.FromClient(message.Span);
        return null;
    }

    /// <summary>Charges a completed response; returns the error event to send when the balance is now spent.</summary>
    private async Task<string?> ChargeAsync(ReadOnlyMemory<byte> message)
    {
        var usage = meter.FromUpstream(message.Span, out var estimated);
        if (usage is null) return null;
        _charged += await billing.ChargeAsync(rc, upstream.Channel, upstream.UpstreamModel, upstream.ConnectMs, usage.Value, estimated);
        var userLeft = _start.User + hold.Amount - _charged;
        var tokenLeft = _start.Token is { } t ? t + (hold.TokenTracked ? hold.Amount : 0) - _charged : long.MaxValue;
        if (userLeft > 0 && tokenLeft > 0) return null;
        var code = userLeft <= 0 ? ErrorCodes.InsufficientUserQuota : ErrorCodes.PreConsumeTokenQuotaFailed;
        return $$"""{"type":"error","error":{"type":"insufficient_quota","code":"{{code}}","message":"quota exhausted, the realtime session is closed (request id: {{rc.RequestId}})"} }""";
    }

    /// <summary>One whole message (fragments joined, the buffer grown from the pool); length −1 when it exceeds 8 MiB.</summary>
    private async Task<(byte[] Buffer, int Length, WebSocketMessageType Type)> ReceiveAsync(WebSocket from, byte[] buffer, CancellationToken ct)
    {
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, config.StreamingTimeout)), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, idle.Token);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= MaxMessageBytes) return (buffer, -1, WebSocketMessageType.Binary);
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxMessageBytes, buffer.Length * 2));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            var result = await from.ReceiveAsync(buffer.AsMemory(length), linked.Token);
            if (result.MessageType == WebSocketMessageType.Close) return (buffer, 0, WebSocketMessageType.Close);
            length += result.Count;
            if (result.EndOfMessage) return (buffer, length, result.MessageType);
        }
    }

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim gate, ReadOnlyMemory<byte> message, WebSocketMessageType type, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            await socket.SendAsync(message, type, true, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task CloseAsync(WebSocket socket, SemaphoreSlim gate, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var grace = new CancellationTokenSource(CloseGrace);
        try
        {
            await gate.WaitAsync(grace.Token);
            try
            {
                await socket.CloseOutputAsync(status is WebSocketCloseStatus.Empty ? WebSocketCloseStatus.NormalClosure : status,
                    reason.Length > 100 ? reason[..100] : reason, grace.Token);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // the session is over either way
        }
    }
}
