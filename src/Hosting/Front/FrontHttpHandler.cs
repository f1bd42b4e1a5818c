using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace NewApi.Hosting.Front;

/// <summary>
/// The relay's direct upstream handler. A request made on a front loop thread to a plain-http upstream (an address, or a
/// name already resolved) with an in-memory body goes out on that loop's own pooled HTTP/1.1 connections: sent, waited
/// for and read on the same thread that serves the client, with no socket engine thread in between. Everything else —
/// TLS, proxies, HTTP/2, bodies of unknown length, names not yet resolved, calls off the loops — goes to
/// <paramref name="inner"/> (SocketsHttpHandler) unchanged. Failures surface as SocketsHttpHandler's do
/// (HttpRequestException with the same HttpRequestError, OperationCanceledException on cancellation).
/// </summary>
internal sealed class FrontHttpHandler(HttpMessageHandler inner, TimeSpan connectTimeout) : DelegatingHandler(inner)
{
    private const int MaxHead = 64 * 1024;

    private sealed class Target
    {
        public required string Origin;
        public required string Host;
        public required int Port;
        public required byte[] RequestLineTail;   // " HTTP/1.1\r\nHost: authority\r\n"
        public required byte[] PathAndQuery;
    }

    private static readonly ConditionalWeakTable<Uri, Target> Targets = new();
    private static readonly ConcurrentDictionary<string, (IPAddress? Address, long Expires)> Names = new(StringComparer.OrdinalIgnoreCase);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var loop = FrontLoop.Current;
        if (loop is null || !Eligible(request, out var target, out var address)) return base.SendAsync(request, cancellationToken);
        return SendOnLoopAsync(loop, request, target, address, cancellationToken);
    }

    private static bool Eligible(HttpRequestMessage request, out Target target, out IPAddress address)
    {
        target = null!;
        address = null!;
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri || !ReferenceEquals(uri.Scheme, Uri.UriSchemeHttp) && uri.Scheme != "http") return false;
        if (request.VersionPolicy == HttpVersionPolicy.RequestVersionExact && request.Version.Major >= 2 || request.Version.Major >= 3
            && request.VersionPolicy != HttpVersionPolicy.RequestVersionOrLower)
            return false;
        if (request.Content is not (null or ReadOnlyMemoryContent or ByteArrayContent)) return false;
        if (request.Headers.TransferEncodingChunked == true || request.Headers.ExpectContinue == true || request.Headers.Host is not null) return false;
        if (!Targets.TryGetValue(uri, out target!))
        {
            target = Describe(uri);
            Targets.AddOrUpdate(uri, target);
        }
        return Resolve(target, out address);
    }

    private static Target Describe(Uri uri) => new()
    {
        Origin = uri.Host + ":" + uri.Port,
        Host = uri.Host,
        Port = uri.Port,
        PathAndQuery = Encoding.ASCII.GetBytes(uri.PathAndQuery),
        RequestLineTail = Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {(uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port)}\r\n"),
    };

    /// <summary>An address for the host, without waiting: literals and localhost at once, names from a 60-s cache filled in the background.</summary>
    private static bool Resolve(Target target, out IPAddress address)
    {
        var host = target.Host;
        if (Names.TryGetValue(host, out var known) && known.Expires > Environment.TickCount64)
        {
            address = known.Address!;
            return known.Address is not null;
        }
        var bare = host.StartsWith('[') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var literal))
        {
            Names[host] = (literal, long.MaxValue);
            address = literal;
            return true;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            Names[host] = (IPAddress.Loopback, long.MaxValue);
            address = IPAddress.Loopback;
            return true;
        }
        Names[host] = (null, Environment.TickCount64 + 5_000);   // until the lookup below answers: the stock handler
        _ = LookUpAsync(host);
        address = null!;
        return false;
    }

    private static async Task LookUpAsync(string host)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host);
            var pick = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            Names[host] = (pick, Environment.TickCount64 + 60_000);
        }
        catch (SocketException)
        {
            Names[host] = (null, Environment.TickCount64 + 10_000);
        }
    }

    private async Task<HttpResponseMessage> SendOnLoopAsync(FrontLoop loop, HttpRequestMessage request, Target target, IPAddress address,
        CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var connection = loop.RentUpstream(target.Origin);
            if (connection is not null && connection.Expired)
            {
                connection.Close();
                connection = null;
            }
            connection ??= await ConnectAsync(loop, target, address, ct);
            var reused = connection.Reused;
            try
            {
                connection.EnsureBuffer();
                Serialize(request, target, connection, ct);
                await SendRequestAsync(connection, ct);
                var response = await ReadHeadAsync(connection, request, ct);
                if (response is not null) return response;
                // Not a byte came back on a reused connection: the upstream closed it as the request went out (the
                // keep-alive race, which the pool's hang-up watch cannot close entirely). Once more on a new connection.
                // (SocketsHttpHandler does not retry a POST whose body went out.)
                connection.Close();
                if (!reused || attempt > 0) throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            }
            catch
            {
                connection.Close();
                throw;
            }
        }
    }

    private async ValueTask<UpstreamConnection> ConnectAsync(FrontLoop loop, Target target, IPAddress address, CancellationToken ct)
    {
        var state = UpstreamConnection.Open(address, target.Port, out var fd);
        if (state < 0) throw ConnectFailed(-state, target);
        var connection = new UpstreamConnection(loop, target.Origin, fd);
        if (!loop.Register(connection))
        {
            var errno = Native.Errno;
            Native.close(fd);
            throw ConnectFailed(errno, target);
        }
        if (state == 0) return connection;
        using var timeout = new CancellationTokenSource(connectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await connection.RetryAsync(connection, static c => c.ConnectError() switch { 0 => IsWritable(c), var e => -e }, linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            connection.Close();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"A connection attempt to {target.Origin} timed out.",
                new SocketException((int)SocketError.TimedOut));
        }
        catch (OperationCanceledException)
        {
            connection.Close();
            throw;
        }
        var error = connection.ConnectError();
        if (error != 0)
        {
            connection.Close();
            throw ConnectFailed(error, target);
        }
        return connection;
    }

    private static unsafe int IsWritable(UpstreamConnection c)
    {
        var poll = stackalloc int[2];
        poll[0] = c.Fd;
        poll[1] = 4;   // POLLOUT
        return Native.poll(poll, 1, 0) > 0 ? 1 : 0;
    }

    private static HttpRequestException ConnectFailed(int errno, Target target)
    {
        var socket = new SocketException(ErrnoToSocketError(errno));
        return new HttpRequestException(HttpRequestError.ConnectionError, $"{socket.Message} ({target.Origin})", socket);
    }

    private static int ErrnoToSocketError(int errno) => errno switch
    {
        111 => (int)SocketError.ConnectionRefused,
        110 => (int)SocketError.TimedOut,
        113 => (int)SocketError.HostUnreachable,
        101 => (int)SocketError.NetworkUnreachable,
        104 => (int)SocketError.ConnectionReset,
        _ => (int)SocketError.SocketError,
    };

    // ---- request --------------------------------------------------------------------------------------------------

    private static void Serialize(HttpRequestMessage request, Target target, UpstreamConnection c, CancellationToken ct)
    {
        var writer = c.Writer as HeadWriter ?? (HeadWriter)(c.Writer = new HeadWriter(c));
        writer.Position = 0;
        writer.Ascii(request.Method.Method);
        writer.Byte((byte)' ');
        writer.Bytes(target.PathAndQuery);
        writer.Bytes(target.RequestLineTail);
        foreach (var header in request.Headers.NonValidated) writer.Header(header.Key, header.Value);
        var content = request.Content;
        if (content is not null)
        {
            foreach (var header in content.Headers.NonValidated)
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) writer.Header(header.Key, header.Value);
            var bodyAt = writer.Mark();
            writer.Bytes("Content-Length: 0000000000\r\n\r\n"u8);
            var start = writer.Position;
            content.CopyTo(writer.AsStream(), null, ct);
            writer.PatchLength(bodyAt, writer.Position - start);
        }
        else
        {
            if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put) writer.Bytes("Content-Length: 0\r\n"u8);
            writer.Bytes("\r\n"u8);
        }
        c.Start = 0;
        c.End = writer.Position;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask SendRequestAsync(UpstreamConnection c, CancellationToken ct)
    {
        var sent = 0;
        var total = c.End;
        while (sent < total)
        {
            var n = await c.RetryAsync((c, sent, total), static s => s.c.TrySend(s.c.Buffer.AsSpan(s.sent, s.total - s.sent)), ct);
            if (n < 0) throw new HttpRequestException(HttpRequestError.Unknown, "An error occurred while sending the request.",
                new IOException("The upstream connection was closed."));
            sent += n;
        }
        c.Start = c.End = 0;
    }

    /// <summary>Null when the connection ended before a single byte of an answer (a stale pooled connection).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<HttpResponseMessage?> ReadHeadAsync(UpstreamConnection c, HttpRequestMessage request, CancellationToken ct)
    {
        var received = false;
        while (true)
        {
            var span = c.Buffer.AsSpan(c.Start, c.End - c.Start);
            var end = span.IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var response = ParseHead(span[..(end + 2)], request, c, out var informational, out var framing);
                c.Start += end + 4;
                if (informational)
                {
                    response.Dispose();
                    continue;
                }
                response.Content = UpstreamContent.Create(c, response, c.ContentHeaders, request.Method == HttpMethod.Head, framing);
                return response;
            }
            if (c.End - c.Start >= MaxHead)
                throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "The upstream's response headers are too large.");
            UpstreamContent.Room(c);
            var n = await c.RetryAsync(c, static c => c.TryReceive(c.Buffer.AsSpan(c.End)), ct, expectWait: !received && c.End == c.Start);
            if (n < 0)
            {
                if (!received) return null;
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            }
            received = true;
            c.End += n;
        }
    }

    /// <param name="framing">What the Connection and Transfer-Encoding headers say, read off the raw lines (asking the
    /// response's typed headers would parse them into objects first).</param>
    private static HttpResponseMessage ParseHead(ReadOnlySpan<byte> head, HttpRequestMessage request, UpstreamConnection c, out bool informational,
        out UpstreamContent.HeadFacts framing)
    {
        framing = default;
        var eol = head.IndexOf("\r\n"u8);
        var line = head[..eol];
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ' || !TryStatus(line.Slice(9, 3), out var status)
            || line.Length > 12 && line[12] != ' ')
            throw new HttpRequestException(HttpRequestError.InvalidResponse, "The server returned an invalid or unrecognized response.");
        informational = status is >= 100 and < 200;
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Version = line[7] == '0' ? HttpVersion.Version10 : HttpVersion.Version11,
            RequestMessage = request,
        };
        var content = c.ContentHeaders;
        content.Clear();
        var rest = head[(eol + 2)..];
        var slot = 0;
        while (rest.Length > 0)
        {
            eol = rest.IndexOf("\r\n"u8);
            var header = rest[..eol];
            rest = rest[(eol + 2)..];
            var colon = header.IndexOf((byte)':');
            if (colon <= 0) throw new HttpRequestException(HttpRequestError.InvalidResponse, "The server returned an invalid or unrecognized response.");
            var name = KnownHeaders.Name(header[..colon], c.Strings, slot);
            var raw = header[(colon + 1)..].Trim(" \t"u8);
            framing.Observe(name, raw);
            var value = c.Strings.Latin1(slot + 1, raw);
            slot += 2;
            if (!response.Headers.TryAddWithoutValidation(name, value)) content.Add(new(name, value));
        }
        return response;
    }

    private static bool TryStatus(ReadOnlySpan<byte> digits, out int status)
    {
        status = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9') return false;
            status = status * 10 + (d - '0');
        }
        return status >= 100;
    }

    /// <summary>Writes the request head and body into the connection's buffer, growing it as needed.</summary>
    private sealed class HeadWriter(UpstreamConnection c)
    {
        public int Position;

        private void Ensure(int more)
        {
            if (Position + more <= c.Buffer.Length) return;
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(c.Buffer.Length * 2, Position + more));
            c.Buffer.AsSpan(0, Position).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(c.Buffer);
            c.Buffer = bigger;
        }

        public void Byte(byte b)
        {
            Ensure(1);
            c.Buffer[Position++] = b;
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(c.Buffer.AsSpan(Position));
            Position += bytes.Length;
        }

        public void Ascii(string s)
        {
            Ensure(Encoding.UTF8.GetMaxByteCount(s.Length));
            Position += Encoding.UTF8.GetBytes(s, c.Buffer.AsSpan(Position));
        }

        public void Header(string name, HeaderStringValues values)
        {
            var first = true;
            foreach (var value in values)
            {
                if (value.AsSpan().IndexOfAny('\r', '\n') >= 0) continue;
                if (first)
                {
                    Ascii(name);
                    Bytes(": "u8);
                    first = false;
                }
                else Bytes(", "u8);
                Ascii(value);
            }
            if (!first) Bytes("\r\n"u8);
        }

        public int Mark() => Position;

        public void PatchLength(int at, int length)
        {
            // "Content-Length: " is 16 bytes; the 10 reserved digits are rewritten and the gap closed.
            Span<byte> digits = stackalloc byte[10];
            length.TryFormat(digits, out var n);
            var field = c.Buffer.AsSpan(at + 16, 10);
            digits[..n].CopyTo(field);
            var gap = 10 - n;
            if (gap > 0)
            {
                c.Buffer.AsSpan(at + 16 + 10, Position - (at + 26)).CopyTo(c.Buffer.AsSpan(at + 16 + n));
                Position -= gap;
            }
        }

        private Stream? _stream;
        public Stream AsStream() => _stream ??= new WriterStream(this);

        private sealed class WriterStream(HeadWriter owner) : Stream
        {
            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
            public override void Write(ReadOnlySpan<byte> buffer) => owner.Bytes(buffer);
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
