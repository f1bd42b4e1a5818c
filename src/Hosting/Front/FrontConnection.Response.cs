using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace NewApi.Hosting.Front;

/// <summary>
/// The response side: the body is buffered behind <see cref="Headroom"/> bytes so the status line, headers and a chunk
/// size are put in front of it and the whole thing leaves in one send. Framing as Kestrel chooses it: the app's
/// Content-Length, else chunked once the body is flushed before the end, else (new here) the length of a body that was
/// complete before anything was sent. Sends never block: on a full socket buffer the writer waits for EPOLLOUT.
/// Writes after the client left are dropped (Kestrel does the same); the app learns of it from RequestAborted.
/// </summary>
internal sealed partial class FrontConnection<TContext>
{
    private readonly FrontHeaders _headers = new();
    private IHeaderDictionary? _replacedHeaders;
    private int _statusCode = 200;
    private string? _reason;
    private bool _started, _chunked, _noBody, _closeAfter, _finished;
    private long? _declared;
    private long _written;
    private byte[] _out = [];
    private int _bodyEnd;
    private byte[] _headScratch = new byte[1024];
    private int _headLength;
    private Stack<KeyValuePair<Func<object, Task>, object>>? _onStarting, _onCompleted;
    private readonly ResponseWriter _writer;
    private readonly Stream _responseStream;
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private int _wantWrite;

    private void ResetResponse()
    {
        ResetFeatures();
        _replacedBody = null;
        _replacedHeaders = null;
        MaxRequestBodySize = null;
        _headers.Clear();
        _statusCode = 200;
        _reason = null;
        _started = _chunked = _noBody = _finished = false;
        _closeAfter = _head.Close;
        _declared = null;
        _written = 0;
        _headLength = 0;
        _bodyEnd = Headroom;
        _onStarting?.Clear();
        _onCompleted?.Clear();
    }

    private IHeaderDictionary ResponseHeaders => _replacedHeaders ?? _headers;

    int IHttpResponseFeature.StatusCode
    {
        get => _statusCode;
        set
        {
            if (_started) throw new InvalidOperationException("StatusCode cannot be set because the response has already started.");
            _statusCode = value;
        }
    }

    string? IHttpResponseFeature.ReasonPhrase { get => _reason; set => _reason = value; }
    IHeaderDictionary IHttpResponseFeature.Headers { get => ResponseHeaders; set => _replacedHeaders = value; }
    Stream IHttpResponseFeature.Body { get => _responseStream; set => throw new NotSupportedException(); }
    bool IHttpResponseFeature.HasStarted => _started;

    void IHttpResponseFeature.OnStarting(Func<object, Task> callback, object state)
    {
        if (_started) throw new InvalidOperationException("OnStarting cannot be set because the response has already started.");
        (_onStarting ??= new()).Push(new(callback, state));
    }

    void IHttpResponseFeature.OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= new()).Push(new(callback, state));

    Stream IHttpResponseBodyFeature.Stream => _responseStream;
    PipeWriter IHttpResponseBodyFeature.Writer => _writer;
    void IHttpResponseBodyFeature.DisableBuffering() { }
    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => StartAsync(final: false).AsTask();

    async Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, useAsync: false);
        file.Seek(offset, SeekOrigin.Begin);
        var left = count ?? file.Length - offset;
        while (left > 0)
        {
            var memory = _writer.GetMemory(16 * 1024);
            var n = await file.ReadAsync(memory[..(int)Math.Min(memory.Length, left)], cancellationToken);
            if (n == 0) break;
            _writer.Advance(n);
            left -= n;
            await FlushAsync();
        }
    }

    Task IHttpResponseBodyFeature.CompleteAsync() => FinishAsync().AsTask();

    // ---- head ---------------------------------------------------------------------------------------------------------

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask StartAsync(bool final)
    {
        if (_started) return;
        if (_onStarting is { Count: > 0 } callbacks)
            while (callbacks.TryPop(out var callback))
                await callback.Key(callback.Value);
        _started = true;
        var headers = ResponseHeaders;
        _noBody = _statusCode is < 200 or 204 or 304;
        _declared = headers.ContentLength;
        if (_noBody)
        {
            _declared = null;
            headers.Remove("Content-Length");
            headers.Remove("Transfer-Encoding");
        }
        else if (_declared is null)
        {
            if (final) headers.ContentLength = _declared = _bodyEnd - Headroom;
            else
            {
                _chunked = true;
                headers["Transfer-Encoding"] = "chunked";
            }
        }
        if (_closeAfter) headers.Connection = "close";
        BuildHead(headers);
    }

    private static readonly byte[]?[] StatusLines = new byte[600][];

    private void BuildHead(IHeaderDictionary headers)
    {
        var at = 0;
        byte[] line;
        if (_reason is null && _statusCode is >= 100 and < 600)
            line = StatusLines[_statusCode] ??= Encoding.ASCII.GetBytes($"HTTP/1.1 {_statusCode} {ReasonPhrases.GetReasonPhrase(_statusCode)}\r\n");
        else
            line = Encoding.ASCII.GetBytes($"HTTP/1.1 {_statusCode} {Clean(_reason ?? ReasonPhrases.GetReasonPhrase(_statusCode))}\r\n");
        Put(ref at, line);
        var hasDate = false;
        if (headers is FrontHeaders own)
            foreach (var header in own) PutHeader(ref at, header, ref hasDate);   // the struct enumerator: no boxing
        else
            foreach (var header in headers) PutHeader(ref at, header, ref hasDate);
        if (!hasDate) Put(ref at, DateHeader.Current);
        Put(ref at, "\r\n"u8);
        _headLength = at;
    }

    private void PutHeader(ref int at, KeyValuePair<string, StringValues> header, ref bool hasDate)
    {
        if (!hasDate && header.Key.Equals("Date", StringComparison.OrdinalIgnoreCase)) hasDate = true;
        foreach (var value in header.Value)
        {
            if (value is null || value.AsSpan().IndexOfAny('\r', '\n') >= 0) continue;
            PutAscii(ref at, header.Key);
            Put(ref at, ": "u8);
            PutAscii(ref at, value);
            Put(ref at, "\r\n"u8);
        }
    }

    private static string Clean(string s) => s.Replace('\r', ' ').Replace('\n', ' ');

    private void Put(ref int at, ReadOnlySpan<byte> bytes)
    {
        if (at + bytes.Length > _headScratch.Length) Array.Resize(ref _headScratch, Math.Max(_headScratch.Length * 2, at + bytes.Length));
        bytes.CopyTo(_headScratch.AsSpan(at));
        at += bytes.Length;
    }

    private void PutAscii(ref int at, string s)
    {
        var max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (at + max > _headScratch.Length) Array.Resize(ref _headScratch, Math.Max(_headScratch.Length * 2, at + max));
        // Header text is nearly always ASCII: narrowed directly; anything else is written as UTF-8, as before.
        if (System.Text.Ascii.FromUtf16(s, _headScratch.AsSpan(at), out var written) == System.Buffers.OperationStatus.Done) at += written;
        else at += Encoding.UTF8.GetBytes(s, _headScratch.AsSpan(at));
    }

    // ---- body -----------------------------------------------------------------------------------------------------

    private Memory<byte> Reserve(int sizeHint)
    {
        if (_out.Length == 0) _out = ArrayPool<byte>.Shared.Rent(8 * 1024);
        var need = Math.Max(sizeHint, 1);
        if (_out.Length - Tail - _bodyEnd < need)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_out.Length * 2, _bodyEnd + need + Tail));
            Buffer.BlockCopy(_out, 0, bigger, 0, _bodyEnd);
            ArrayPool<byte>.Shared.Return(_out);
            _out = bigger;
        }
        return _out.AsMemory(_bodyEnd, _out.Length - Tail - _bodyEnd);
    }

    private void Advance(int bytes)
    {
        _bodyEnd += bytes;
        _written += bytes;
    }

    private ValueTask FlushAsync() => FlushCoreAsync(final: false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishAsync()
    {
        if (_finished) return;
        await FlushCoreAsync(final: true);
        _finished = true;
        if (_declared is { } declared && _written != declared) _closeAfter = true;   // Kestrel aborts such a response
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushCoreAsync(bool final)
    {
        if (_finished) return;
        if (_out.Length == 0) Reserve(0);
        if (!_started) await StartAsync(final);
        var bodyLength = _noBody ? 0 : _bodyEnd - Headroom;
        var start = Headroom;
        var end = Headroom + bodyLength;
        if (_chunked && bodyLength > 0)
        {
            Span<byte> size = stackalloc byte[10];
            Utf8Formatter.TryFormat(bodyLength, size, out var n, new StandardFormat('x'));
            size[n++] = (byte)'\r';
            size[n++] = (byte)'\n';
            start -= n;
            size[..n].CopyTo(_out.AsSpan(start));
            "\r\n"u8.CopyTo(_out.AsSpan(end));
            end += 2;
        }
        if (_chunked && final)
        {
            "0\r\n\r\n"u8.CopyTo(_out.AsSpan(end));
            end += 5;
        }
        if (_headLength > 0)
        {
            if (_headLength <= start)
            {
                start -= _headLength;
                _headScratch.AsSpan(0, _headLength).CopyTo(_out.AsSpan(start));
            }
            else await SendAsync(_headScratch, 0, _headLength);
            _headLength = 0;
        }
        _bodyEnd = Headroom;
        if (end > start) await SendAsync(_out, start, end - start);
    }

    // Kestrel's MinResponseDataRate (240 bytes/s after a 5-s grace), measured as Kestrel does, only while a write waits
    // for the client: a client that stops reading cannot hold a connection, a request and its upstream call for ever.
    private const int MinRateBytesPerSecond = 240;
    private const long MinRateGraceMs = 5_000;
    private long _stallSince;      // when the current write first waited for room (0: not waiting)
    private long _stallBytes;      // bytes the client took since then

    /// <summary>The loop's sweep: a write that has waited past the grace period at less than the minimum rate aborts the request.</summary>
    private void CheckResponseRate(long now)
    {
        var since = Volatile.Read(ref _stallSince);
        if (since == 0 || now - since <= MinRateGraceMs) return;
        if (Volatile.Read(ref _stallBytes) >= MinRateBytesPerSecond * (now - since) / 1000) return;
        _peerGone = true;
        AbortRequest();
        CompleteWriteWaiter(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(byte[] buffer, int offset, int length)
    {
        while (length > 0)
        {
            if (_peerGone) break;   // dropped, as Kestrel drops writes after an abort
            var n = TrySend(buffer, offset, length);
            if (n == 0)
            {
                if (Volatile.Read(ref _stallSince) == 0)
                {
                    Volatile.Write(ref _stallBytes, 0);
                    Volatile.Write(ref _stallSince, Environment.TickCount64);
                }
                _waiter.Reset();
                Volatile.Write(ref _wantWrite, 1);
                n = TrySend(buffer, offset, length);
                if (n != 0)
                {
                    if (Interlocked.Exchange(ref _wantWrite, 0) == 0) await new ValueTask<bool>(this, _waiter.Version);
                }
                else if (!await new ValueTask<bool>(this, _waiter.Version)) n = -1;
                else continue;
            }
            if (n < 0)
            {
                _peerGone = true;
                AbortRequest();
                break;
            }
            offset += n;
            length -= n;
            if (Volatile.Read(ref _stallSince) != 0) Interlocked.Add(ref _stallBytes, n);
        }
        if (Volatile.Read(ref _stallSince) != 0) Volatile.Write(ref _stallSince, 0);
    }

    private unsafe int TrySend(byte[] buffer, int offset, int length)
    {
        nint n;
        fixed (byte* p = buffer) n = Native.send(Fd, p + offset, length, Native.MSG_NOSIGNAL);
        if (n > 0) return (int)n;
        var errno = Native.Errno;
        return errno is Native.EAGAIN or Native.EINTR ? 0 : -1;
    }

    private void CompleteWriteWaiter(bool ok)
    {
        if (Interlocked.Exchange(ref _wantWrite, 0) == 1) _waiter.SetResult(ok);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunCompletedAsync()
    {
        if (_onCompleted is not { Count: > 0 } callbacks) return;
        while (callbacks.TryPop(out var callback))
        {
            try
            {
                await callback.Key(callback.Value);
            }
            catch (Exception)
            {
                // as Kestrel: a failing completion callback does not affect the connection
            }
        }
    }

    private void ReleaseOutput()
    {
        if (_out.Length > 0) ArrayPool<byte>.Shared.Return(_out);
        _out = [];
    }

    private sealed class ResponseWriter(FrontConnection<TContext> owner) : PipeWriter
    {
        public override void Advance(int bytes) => owner.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => owner.Reserve(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => owner.Reserve(sizeHint).Span;
        public override void CancelPendingFlush() { }
        public override void Complete(Exception? exception = null) { }
        public override ValueTask CompleteAsync(Exception? exception = null) => default;
        public override bool CanGetUnflushedBytes => true;
        public override long UnflushedBytes => owner._bodyEnd - Headroom;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            await owner.FlushAsync();
            return new FlushResult(false, false);
        }
    }
}

/// <summary>The Date header line, rebuilt once a second.</summary>
internal static class DateHeader
{
    private static byte[] _line = [];
    private static long _second = -1;

    public static byte[] Current
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            var second = now.ToUnixTimeSeconds();
            if (second != Volatile.Read(ref _second))
            {
                _line = Encoding.ASCII.GetBytes("Date: " + now.ToString("r") + "\r\n");
                Volatile.Write(ref _second, second);
            }
            return _line;
        }
    }
}
