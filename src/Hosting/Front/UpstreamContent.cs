using System.Runtime.CompilerServices;
using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace NewApi.Hosting.Front;

/// <summary>
/// An upstream answer's body, read from its <see cref="UpstreamConnection"/> as the caller asks for it (never buffered
/// whole): Content-Length, chunked, or until the upstream closes. Read to its end, the connection goes back to its
/// loop's pool; disposed before that, it is closed.
/// </summary>
internal sealed class UpstreamContent : HttpContent
{
    private enum Framing { None, Length, Chunked, UntilClose }
    private enum Chunk { Size, Data, DataEnd, Trailer }

    private readonly UpstreamConnection _c;
    private readonly Framing _framing;
    private readonly bool _keepAlive;
    private long _remaining;
    private Chunk _chunk;
    private bool _done, _released;
    private BodyStream? _stream;

    private UpstreamContent(UpstreamConnection c, Framing framing, long length, bool keepAlive)
    {
        _c = c;
        _framing = framing;
        _remaining = length;
        _keepAlive = keepAlive;
        if (framing == Framing.None) Finish();
    }

    /// <summary>
    /// What the answer's framing headers say, read off the raw lines as the head is parsed: Connection: close and chunked
    /// as HttpHeaders' ConnectionClose and TransferEncodingChunked read them (a listed token, case-insensitively, on any
    /// of the header's lines), and the Content-Length (every line must give the same non-negative number).
    /// </summary>
    public struct HeadFacts
    {
        public bool Close, Chunked, BadLength;
        public long? Length;

        public void Observe(string name, ReadOnlySpan<byte> value)
        {
            if (FrontHeaders.SameName(name, "Connection")) Close |= Lists(value, "close"u8);
            else if (FrontHeaders.SameName(name, "Transfer-Encoding")) Chunked |= Lists(value, "chunked"u8);
            else if (FrontHeaders.SameName(name, "Content-Length"))
            {
                if (!long.TryParse(value, out var n) || n < 0 || Length is { } d && d != n) BadLength = true;
                else Length = n;
            }
        }

        internal static bool Lists(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
        {
            foreach (var range in value.Split((byte)','))
                if (System.Text.Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token)) return true;
            return false;
        }
    }

    public static UpstreamContent Create(UpstreamConnection c, HttpResponseMessage response, List<KeyValuePair<string, string>> headers, bool head,
        HeadFacts facts)
    {
        if (facts.BadLength) throw new HttpRequestException(HttpRequestError.InvalidResponse, "The server returned an invalid Content-Length.");
        var status = (int)response.StatusCode;
        var keepAlive = response.Version == HttpVersion.Version11 && !facts.Close;
        Framing framing;
        long length = 0;
        if (head || status is 204 or 304) framing = Framing.None;
        else if (facts.Chunked) framing = Framing.Chunked;
        else if (facts.Length is { } n)
        {
            framing = n == 0 ? Framing.None : Framing.Length;
            length = n;
        }
        else
        {
            framing = Framing.UntilClose;
            keepAlive = false;
        }
        var content = new UpstreamContent(c, framing, length, keepAlive);
        foreach (var header in headers)
            if (!FrontHeaders.SameName(header.Key, "Content-Length")) content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        // Typed, as already checked: readers of ContentLength then find a number instead of parsing the text again.
        if (facts.Length is { } value) content.Headers.ContentLength = value;
        return content;
    }

    /// <summary>Makes room at the end of the connection's buffer for a receive.</summary>
    public static void Room(UpstreamConnection c)
    {
        if (c.Start > 0 && (c.Start == c.End || c.End == c.Buffer.Length))
        {
            c.Buffer.AsSpan(c.Start, c.End - c.Start).CopyTo(c.Buffer);
            c.End -= c.Start;
            c.Start = 0;
        }
        if (c.End == c.Buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(c.Buffer.Length * 2);
            c.Buffer.AsSpan(0, c.End).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(c.Buffer);
            c.Buffer = bigger;
        }
    }

    private void Finish()
    {
        if (_done) return;
        _done = true;
        Release(reuse: _keepAlive && _c.Start == _c.End && !_c.Expired);
    }

    private void Release(bool reuse)
    {
        if (_released) return;
        _released = true;
        if (reuse) _c.Loop.ReturnUpstream(_c);
        else _c.Close();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _remaining;
        return _framing == Framing.Length && _stream is null;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var body = (BodyStream)CreateContentReadStream(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(CreateContentReadStream(CancellationToken.None));

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => _stream ??= new BodyStream(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_done) Release(reuse: false);
        base.Dispose(disposing);
    }

    private static HttpIOException Ended() => new(HttpRequestError.ResponseEnded, "The response ended prematurely.");

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_done || destination.Length == 0) return 0;
        if (_released) throw new ObjectDisposedException(nameof(UpstreamContent));
        var c = _c;
        switch (_framing)
        {
            case Framing.Length:
            {
                var want = (int)Math.Min(destination.Length, _remaining);
                int n;
                if (c.End > c.Start)
                {
                    n = Math.Min(want, c.End - c.Start);
                    c.Buffer.AsSpan(c.Start, n).CopyTo(destination.Span);
                    c.Start += n;
                }
                else
                {
                    n = await c.RetryAsync((c, destination, want), static s => s.c.TryReceive(s.destination.Span[..s.want]), ct);
                    if (n < 0) throw Ended();
                }
                _remaining -= n;
                if (_remaining == 0) Finish();
                return n;
            }
            case Framing.UntilClose:
            {
                int n;
                if (c.End > c.Start)
                {
                    n = Math.Min(destination.Length, c.End - c.Start);
                    c.Buffer.AsSpan(c.Start, n).CopyTo(destination.Span);
                    c.Start += n;
                    return n;
                }
                n = await c.RetryAsync((c, destination), static s => s.c.TryReceive(s.destination.Span), ct);
                if (n == -1)
                {
                    Finish();
                    return 0;
                }
                if (n < 0) throw Ended();
                return n;
            }
            default:
                return await ReadChunkedAsync(destination, ct);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken ct)
    {
        var c = _c;
        while (true)
        {
            var span = c.Buffer.AsSpan(c.Start, c.End - c.Start);
            switch (_chunk)
            {
                case Chunk.Data when span.Length > 0:
                {
                    var n = (int)Math.Min(Math.Min(destination.Length, span.Length), _remaining);
                    span[..n].CopyTo(destination.Span);
                    c.Start += n;
                    _remaining -= n;
                    if (_remaining == 0) _chunk = Chunk.DataEnd;
                    return n;
                }
                case Chunk.Size or Chunk.DataEnd or Chunk.Trailer:
                {
                    var eol = span.IndexOf("\r\n"u8);
                    if (eol < 0) break;
                    var line = span[..eol];
                    c.Start += eol + 2;
                    if (_chunk == Chunk.DataEnd)
                    {
                        if (line.Length != 0) throw Ended();
                        _chunk = Chunk.Size;
                        continue;
                    }
                    if (_chunk == Chunk.Trailer)
                    {
                        if (line.Length == 0)
                        {
                            Finish();
                            return 0;
                        }
                        continue;
                    }
                    var semicolon = line.IndexOf((byte)';');
                    if (semicolon >= 0) line = line[..semicolon];
                    if (!TryHex(line.Trim(" \t"u8), out var size)) throw Ended();
                    if (size == 0) _chunk = Chunk.Trailer;
                    else
                    {
                        _remaining = size;
                        _chunk = Chunk.Data;
                    }
                    continue;
                }
            }
            if (c.End - c.Start > 16 * 1024 && _chunk != Chunk.Data) throw Ended();   // a chunk-size or trailer line without end
            Room(c);
            var got = await c.RetryAsync(c, static c => c.TryReceive(c.Buffer.AsSpan(c.End)), ct);
            if (got < 0) throw Ended();
            c.End += got;
        }
    }

    private static bool TryHex(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length is 0 or > 15) return false;
        foreach (var b in s)
        {
            var d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (d < 0) return false;
            value = value * 16 + d;
        }
        return true;
    }

    private sealed class BodyStream(UpstreamContent owner) : Stream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => owner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            owner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => owner.ReadAsync(buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !owner._done) owner.Release(reuse: false);
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Interned names of common response headers, so a parsed head allocates only its values.</summary>
internal static class KnownHeaders
{
    private static readonly string[] Names =
    [
        "Content-Type", "Content-Length", "Date", "Server", "Connection", "Transfer-Encoding", "Cache-Control", "Vary",
        "X-Request-Id", "Keep-Alive", "Content-Encoding", "Access-Control-Allow-Origin", "openai-processing-ms", "openai-version",
        "openai-organization", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens", "request-id", "anthropic-organization-id",
    ];

    /// <summary>The previous answer's name at this place when the bytes repeat, else the shared known name, else a new string.</summary>
    public static string Name(ReadOnlySpan<byte> name, HeadStrings strings, int slot) =>
        strings.Reuse(slot, name) ?? (Known(name) is { } known ? strings.Remember(slot, known) : strings.Ascii(slot, name));

    private static string? Known(ReadOnlySpan<byte> name)
    {
        foreach (var known in Names)
        {
            if (known.Length != name.Length) continue;
            var same = true;
            for (var i = 0; i < name.Length && same; i++) same = (name[i] | 0x20) == (known[i] | 0x20);
            if (same) return known;
        }
        return null;
    }
}
