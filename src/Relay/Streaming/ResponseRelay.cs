using System.Buffers;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Writes an upstream answer to the client. Errors are read (bounded) and returned untouched so the caller can retry;
/// a JSON answer is read into pooled memory, its usage taken, its headers and bytes copied; an SSE answer goes
/// through <see cref="SseRelay"/> frame by frame.
/// </summary>
public sealed class ResponseRelay(SseRelay sse, MediaRelay mediaRelay)
{
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxJsonBody = 256 * 1024 * 1024;

    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Upgrade", "Proxy-Connection", "Trailer", "TE",
        "X-Oneapi-Request-Id", "Set-Cookie", "Alt-Svc", "Strict-Transport-Security",
        // The provider's server software and version are not the client's business (New API passes them through).
        "Server", "Via", "X-Powered-By",
    };

    /// <remarks>No frame of its own for a JSON answer (the usual case): the chain resumed when the answer arrives is one shorter.</remarks>
    public Task<AttemptOutcome> RelayAsync(HttpContext ctx, HttpResponseMessage response, IUsageTap tap, RelayRequest request,
        Func<IUsageTap, string> syntheticUsage, CancellationToken clientGone)
    {
        var upstreamId = UpstreamRequestId(response);
        if (!response.IsSuccessStatusCode) return RelayErrorAsync(response, upstreamId, clientGone);
        var media = MediaType(response);
        if (MediaRelay.Handles(request, media)) return WithId(mediaRelay.RelayAsync(ctx, response, tap, request, media, clientGone), upstreamId);
        if (request.Stream && media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            return WithId(sse.RelayAsync(ctx, response, tap, request, syntheticUsage, clientGone), upstreamId);
        return RelayJsonAsync(ctx, response, tap, upstreamId, clientGone);
    }

    private static async Task<AttemptOutcome> WithId(Task<AttemptOutcome> relayed, string upstreamId) =>
        (await relayed) with { UpstreamRequestId = upstreamId };

    private static async Task<AttemptOutcome> RelayErrorAsync(HttpResponseMessage response, string upstreamId, CancellationToken clientGone)
    {
        PooledBody error;
        try
        {
            error = await ReadBoundedAsync(response, MaxErrorBody, clientGone);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The error answer itself was cut: its status still classifies it (retry, auto-disable).
            return Failed(UpstreamErrorParser.Parse((int)response.StatusCode, default), upstreamId);
        }
        try
        {
            return Failed(UpstreamErrorParser.Parse((int)response.StatusCode, error.Span), upstreamId);
        }
        finally
        {
            error.Dispose();
        }
    }

    private static async Task<AttemptOutcome> RelayJsonAsync(HttpContext ctx, HttpResponseMessage response, IUsageTap tap, string upstreamId,
        CancellationToken ct)
    {
        using var cut = RelayDeadline.Cut(ctx.Features.Get<RelayDeadline>(), ct);
        PooledBody body;
        try
        {
            body = await ReadBoundedAsync(response, MaxJsonBody, cut?.Token ?? ct);
        }
        catch (OperationCanceledException) when (cut is { IsCancellationRequested: true } && !ct.IsCancellationRequested)
        {
            return Failed(TimedOut(), upstreamId);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
        {
            return Failed(ReadFailed(), upstreamId);
        }
        using var owned = body;
        if (body.Truncated)
            return Failed(RelayError.Local(502, "upstream response too large", ErrorCodes.ReadResponseBodyFailed, skipRetry: true), upstreamId);
        tap.ObserveBody(body.Span);
        if (tap.Usage is null && InBandError(body.Span) is { } inBand) return Failed(inBand, upstreamId);
        ctx.Response.StatusCode = (int)response.StatusCode;
        CopyHeaders(response, ctx.Response);
        ctx.Response.ContentLength = body.Length;
        var gone = false;
        try
        {
            await ctx.Response.Body.WriteAsync(body.Memory, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            gone = true;   // the upstream did the work: the answer is billed even though the client left while it was written
        }
        return new AttemptOutcome
        {
            Started = true, ClientGone = gone, UpstreamUsage = tap.Usage, DeliveredText = tap.DeliveredText, ToolCalls = tap.ToolCalls,
            UpstreamRequestId = upstreamId,
        };
    }

    /// <summary>An attempt that failed before anything reached the client, with the upstream's request id.</summary>
    private static AttemptOutcome Failed(RelayError error, string upstreamId) => new() { Error = error, UpstreamRequestId = upstreamId };

    /// <summary>The upstream's answer broke off before its end (connection closed or reset): nothing reached the client, so
    /// another channel may try, and nothing is billed.</summary>
    public static RelayError ReadFailed() =>
        RelayError.Local(502, "upstream error: read response body failed", ErrorCodes.ReadResponseBodyFailed, skipRetry: false);

    /// <summary>RELAY_TIMEOUT ran out before the answer was complete: nothing reached the client, so another channel may try.</summary>
    public static RelayError TimedOut() =>
        RelayError.Local(504, "upstream did not answer in time", ErrorCodes.UpstreamTimeout, skipRetry: false);

    /// <summary>New API: a 200 body holding an OpenAI error object is that error, with status 200 (so it is not retried).</summary>
    private static RelayError? InBandError(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("\"error\""u8) < 0) return null;
        var parsed = UpstreamErrorParser.Parse(200, body);
        return parsed.FromUpstream && parsed.Type != ErrorTypes.BadResponseStatus ? parsed : null;
    }

    public static void CopyHeaders(HttpResponseMessage from, HttpResponse to)
    {
        // NonValidated: the raw header strings, without parsing each value into typed objects first.
        foreach (var (name, values) in from.Headers.NonValidated)
            if (!SkippedHeaders.Contains(name)) to.Headers[name] = First(values);
        foreach (var (name, values) in from.Content.Headers.NonValidated)
            if (!SkippedHeaders.Contains(name)) to.Headers[name] = First(values);
    }

    /// <summary>The upstream's X-Oneapi-Request-Id (another New API in front), read from the unparsed headers; "" when absent.</summary>
    internal static string UpstreamRequestId(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("X-Oneapi-Request-Id", out var ids) ? First(ids) ?? "" : "";

    /// <summary>The Content-Type's media type as sent (parameters cut), read without building a typed header value.</summary>
    internal static string MediaType(HttpResponseMessage response)
    {
        if (!response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) || First(values) is not { } value) return "";
        var semi = value.IndexOf(';');
        return (semi < 0 ? value : value[..semi]).Trim();
    }

    private static string? First(System.Net.Http.Headers.HeaderStringValues values)
    {
        foreach (var v in values) return v;
        return null;
    }

    private static async ValueTask<PooledBody> ReadBoundedAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var declared = response.Content.Headers.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 and < 4 << 20 ? (int)declared.Value + 1 : 16 * 1024);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length >= max) return new PooledBody(buffer, length, true);
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(max, buffer.Length * 2));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) return new PooledBody(buffer, length, false);
            length += read;
        }
    }

    private readonly struct PooledBody(byte[] buffer, int length, bool truncated) : IDisposable
    {
        public int Length => length;
        public bool Truncated => truncated;
        public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);
        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);
        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
