using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NewApi.Tests.Support;

/// <summary>
/// A socket-level provider for framing cases the Kestrel-based fake cannot produce: it reads request heads (and
/// Content-Length bodies) and answers with <see cref="Answer"/>, whose bytes the test chooses — chunked bodies, bodies
/// ended by closing, large bodies — and can drop a kept-alive connection at its next request without answering.
/// </summary>
public sealed class RawUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _connections, _requests;

    public RawUpstream()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public int Connections => Volatile.Read(ref _connections);
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The whole answer (status line, headers, body) for one request.</summary>
    public Func<byte[]> Answer { get; set; } = () => Ok("""{"id":"raw","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");
    /// <summary>Close after answering (the answer itself says nothing about it).</summary>
    public bool CloseAfterAnswer { get; set; }
    /// <summary>Close a connection, unanswered, when its second request arrives (a keep-alive connection the server dropped).</summary>
    public bool DropSecondRequest { get; set; }

    public static byte[] Ok(string json) =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    public static byte[] Chunked(string json, int pieceSize)
    {
        var sb = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (var i = 0; i < json.Length; i += pieceSize)
        {
            var piece = json.Substring(i, Math.Min(pieceSize, json.Length - i));
            sb.Append($"{Encoding.UTF8.GetByteCount(piece):x};ext=1\r\n{piece}\r\n");
        }
        sb.Append("0\r\nX-Trailer: t\r\n\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] UntilClose(string json) =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{json}");

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[64 * 1024];
        var have = 0;
        var served = 0;
        try
        {
            while (true)
            {
                int end;
                while ((end = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(have), _stop.Token);
                    if (n == 0) return;
                    have += n;
                }
                var head = Encoding.ASCII.GetString(buffer, 0, end);
                var length = 0;
                foreach (var line in head.Split("\r\n"))
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
                while (have < end + 4 + length)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(have), _stop.Token);
                    if (n == 0) return;
                    have += n;
                }
                buffer.AsSpan(end + 4 + length, have - end - 4 - length).CopyTo(buffer);
                have -= end + 4 + length;
                Interlocked.Increment(ref _requests);
                if (DropSecondRequest && ++served == 2) return;
                await stream.WriteAsync(Answer(), _stop.Token);
                if (CloseAfterAnswer) return;
            }
        }
        catch (Exception)
        {
            // the gateway closed the connection
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
