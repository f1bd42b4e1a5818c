using System.Buffers;
using System.Collections;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using System.Text;
using System.Text.Json;
using NewApi.Common;
using NewApi.Relay.Errors;

namespace NewApi.Hosting.Front;

/// <summary>
/// One client connection of a <see cref="FrontLoop{TContext}"/>, and the ASP.NET Core features of the request it is
/// serving (one object, reused request after request, as Kestrel does). Ownership: whoever moves <c>_state</c> from
/// free to owned may read the socket, parse, dispatch, hand over or close; a request in flight keeps it owned until it
/// completes. Other threads only set the pending flag (new bytes arrived) or abort.
/// </summary>
internal sealed partial class FrontConnection<TContext> : LoopSocket, IFeatureCollection, IHttpRequestFeature, IHttpResponseFeature,
    IHttpResponseBodyFeature, IHttpRequestLifetimeFeature, IHttpConnectionFeature, IHttpMaxRequestBodySizeFeature,
    IHttpRequestBodyDetectionFeature, IEndpointFeature, IHostContextContainer<TContext>, IValueTaskSource<bool> where TContext : notnull
{
    private const int Headroom = 2048;          // room before the body for the status line, headers and a chunk size
    private const int Tail = 8;                 // room after it for "\r\n0\r\n\r\n"
    private const int MaxHead = 64 * 1024;      // Kestrel's MaxRequestHeadersTotalSize here

    private readonly FrontLoop _loop;
    private readonly IHttpApplication<TContext> _app;
    private readonly FrontListener _listener;
    private readonly IPEndPoint? _remote, _local;

    private byte[] _in = [];
    private int _inStart, _inEnd;
    private int _state;            // 0 free, 1 owned
    private int _pending;          // bytes (or a hang-up) arrived while owned
    private volatile bool _peerGone;
    private volatile bool _readClosed;   // the client's FIN: no more requests, but it may still read answers (half-close)
    private volatile bool _closed;
    public override bool Closed => _closed;
    public long LastActive;

    private readonly RequestHead.Parsed _head = new();
    private readonly BodyStream _body = new();
    private CancellationTokenSource _aborted = new();
    private int _requestLength;

    public FrontConnection(FrontLoop loop, IHttpApplication<TContext> app, FrontListener listener, int fd, uint generation, IPEndPoint? remote,
        IPEndPoint? local) : base(fd, generation)
    {
        _loop = loop;
        _app = app;
        _listener = listener;
        _remote = remote;
        _local = local;
        _writer = new ResponseWriter(this);
        _responseStream = _writer.AsStream(leaveOpen: true);
        LastActive = Environment.TickCount64;
    }

    // ---- events from the loop -------------------------------------------------------------------------------------

    public override void OnEvent(uint flags)
    {
        var hangUp = (flags & (Native.EPOLLRDHUP | Native.EPOLLHUP | Native.EPOLLERR)) != 0;
        if ((flags & Native.EPOLLOUT) != 0 || hangUp) CompleteWriteWaiter((flags & (Native.EPOLLERR | Native.EPOLLHUP)) == 0);
        if ((flags & Native.EPOLLIN) != 0 || hangUp) OnReadable(hangUp, (flags & (Native.EPOLLERR | Native.EPOLLHUP)) != 0);
    }

    /// <summary>EPOLLIN (and hang-ups): take the connection if it is free, or leave a note for its owner.</summary>
    private void OnReadable(bool hangUp, bool dead)
    {
        if (_draining)
        {
            Drain(hangUp);
            return;
        }
        // A reset or error: the client is gone. A FIN alone may be a half-close (a client that sent its last request
        // and waits for the answer): what it sent is still answered, then the connection closes. During a request the
        // FIN aborts it, as a disconnect (below).
        if (dead) _peerGone = true;
        if (hangUp) _readClosed = true;
        Volatile.Write(ref _pending, 1);
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            Process();
            return;
        }
        if (hangUp && _inFlight)
        {
            _peerGone = true;
            AbortRequest();
            CompleteWriteWaiter(false);
        }
    }

    /// <summary>The loop's idle sweep, on the loop thread: closes a connection idle longer than the keep-alive timeout and hands a
    /// connection whose request stalls mid-head to Kestrel, whose header timeout then applies. While stopping: at once.</summary>
    public override void Sweep(long now, bool stopping)
    {
        if (_draining)
        {
            if (stopping || now - LastActive > 2_000) Close();
            return;
        }
        if (Volatile.Read(ref _state) != 0)
        {
            if (_inFlight) CheckResponseRate(now);
            return;
        }
        var idleFor = now - LastActive;
        if (!stopping && (_inStart == _inEnd ? idleFor < _loop.KeepAliveMs : idleFor < _loop.StallMs)) return;
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
        if (_inStart == _inEnd) Close();
        else Handover();
    }

    // ---- the owner's work -----------------------------------------------------------------------------------------

    private void Process()
    {
        while (true)
        {
            var readMore = Interlocked.Exchange(ref _pending, 0) == 1;
            while (true)
            {
                var verdict = _inEnd > _inStart
                    ? RequestHead.Parse(_in.AsSpan(_inStart, _inEnd - _inStart), _head, MaxHead, FrontLoop.MaxBody)
                    : RequestHead.Verdict.Incomplete;
                if (verdict == RequestHead.Verdict.Serve && _inEnd - _inStart >= _head.HeadLength + _head.ContentLength)
                {
                    if (_peerGone)
                    {
                        Close();   // Kestrel would abort a request whose client already hung up
                        return;
                    }
                    // A request that completes before Dispatch returns (an error answered at once, say) continues this loop
                    // instead of recursing, so a long pipeline of such requests cannot grow the stack.
                    if (!Dispatch()) return;
                    if (_closed) return;
                    readMore = Interlocked.Exchange(ref _pending, 0) == 1;
                    continue;
                }
                if (verdict == RequestHead.Verdict.Handover)
                {
                    Handover();
                    return;
                }
                if (verdict == RequestHead.Verdict.Reject)
                {
                    Refuse();
                    return;
                }
                if (!readMore) break;
                var got = Receive(verdict == RequestHead.Verdict.Serve ? _head.HeadLength + (int)_head.ContentLength : 0);
                if (got < 0)
                {
                    Close();
                    return;
                }
                if (got == 0) break;   // nothing more for now (or ever, after a FIN)
                LastActive = Environment.TickCount64;
                readMore = got == int.MaxValue;   // the buffer filled: there may be more
            }
            if (_peerGone || _readClosed && _inStart == _inEnd)
            {
                Close();
                return;
            }
            if (_readClosed)
            {
                // Half-closed with a partial request left: it can never complete.
                if (RequestHead.Truncated(_in.AsSpan(_inStart, _inEnd - _inStart), _head) == RequestHead.Verdict.Reject) Refuse();
                else Close();
                return;
            }
            Volatile.Write(ref _state, 0);
            if (Volatile.Read(ref _pending) == 0 || Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
        }
    }

    /// <summary>Reads what the socket has: &gt;0 bytes read (int.MaxValue when the buffer filled), 0 none, -1 closed or failed.</summary>
    private unsafe int Receive(int need)
    {
        if (_inStart > 0 && (_inEnd == _in.Length || _inStart == _inEnd))
        {
            Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }
        if (_in.Length == 0) _in = ArrayPool<byte>.Shared.Rent(Math.Max(8192, need));
        else if (_inEnd == _in.Length || need > _in.Length)
        {
            var size = Math.Max(_in.Length * 2, need);
            if (size > MaxHead + FrontLoop.MaxBody + 4096) return -1;   // unreachable: the parser hands such requests over
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            Buffer.BlockCopy(_in, 0, bigger, 0, _inEnd);
            ArrayPool<byte>.Shared.Return(_in);
            _in = bigger;
        }
        var space = _in.Length - _inEnd;
        nint n;
        fixed (byte* p = _in) n = Native.recv(Fd, p + _inEnd, space, 0);
        if (n > 0)
        {
            _inEnd += (int)n;
            return n == space ? int.MaxValue : (int)n;
        }
        if (n == 0)
        {
            _readClosed = true;
            return 0;
        }
        var errno = Native.Errno;
        return errno is Native.EAGAIN or Native.EINTR ? 0 : -1;
    }

    /// <summary>
    /// A head Kestrel would refuse with an empty answer: the same status, with an error body in the dialect of the path it
    /// named and the request id, then the connection is closed (its framing cannot be trusted) after the client's bytes
    /// are drained, so the answer is not lost to a reset.
    /// </summary>
    private unsafe void Refuse()
    {
        var id = RequestIds.New(TimeProvider.System);
        var surface = ApiSurfaces.Of(_head.RejectPath);
        var body = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (surface == ApiSurface.Management) JsonSerializer.Serialize(w, Api.Fail(_head.RejectMessage), NewApi.Json.AdminJson.Default.Reply);
            else RelayErrorWriter.Write(w, surface, _head.RejectStatus, $"{_head.RejectMessage} (request id: {id})", ErrorTypes.InvalidRequest, ErrorCodes.InvalidRequest);
        }
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {_head.RejectStatus} {ReasonPhrases.GetReasonPhrase(_head.RejectStatus)}\r\nContent-Type: application/json\r\n"
            + $"Content-Length: {body.WrittenCount}\r\nX-Oneapi-Request-Id: {id}\r\nX-New-Api-Version: {BuildInfo.Version}\r\nConnection: close\r\n");
        var answer = new byte[head.Length + DateHeader.Current.Length + 2 + body.WrittenCount];
        head.CopyTo(answer, 0);
        DateHeader.Current.CopyTo(answer, head.Length);
        "\r\n"u8.CopyTo(answer.AsSpan(head.Length + DateHeader.Current.Length));
        body.WrittenSpan.CopyTo(answer.AsSpan(answer.Length - body.WrittenCount));
        var sent = 0;
        while (sent < answer.Length)
        {
            var n = TrySend(answer, sent, answer.Length - sent);
            if (n <= 0) break;   // a client that does not read its error loses it
            sent += n;
        }
        Native.shutdown(Fd, 1);   // SHUT_WR: the answer is followed by a FIN
        _inStart = _inEnd = 0;
        _draining = true;
        LastActive = Environment.TickCount64;
        Volatile.Write(ref _state, 0);
        Drain(false);
    }

    private volatile bool _draining;

    /// <summary>Reads and drops what the client still sends after a refusal, until it closes (or the sweep gives up).</summary>
    private unsafe void Drain(bool hangUp)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
        var scratch = stackalloc byte[4096];
        while (true)
        {
            var n = Native.recv(Fd, scratch, 4096, 0);
            if (n > 0) continue;
            if (n == 0 || hangUp || Native.Errno is not (Native.EAGAIN or Native.EINTR))
            {
                Close();
                return;
            }
            break;
        }
        Volatile.Write(ref _state, 0);
    }

    private void Handover()
    {
        _closed = true;
        _loop.Forget(this);
        _loop.Unwatch(Fd);
        var prefix = _in.AsSpan(_inStart, _inEnd - _inStart).ToArray();
        if (_in.Length > 0) ArrayPool<byte>.Shared.Return(_in);
        _in = [];
        ReleaseOutput();
        _listener.Adopt(Fd, prefix, _remote, _local);
    }

    private void Close()
    {
        if (_closed) return;
        _closed = true;
        _loop.Forget(this);
        Native.close(Fd);
        var buffer = _in;
        _in = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        ReleaseOutput();
    }

    // ---- one request ----------------------------------------------------------------------------------------------

    private volatile bool _inFlight;
    private object? _extra0Key, _extra0, _extra1Key, _extra1;
    private List<KeyValuePair<Type, object>>? _extras;
    private int _revision;

    // The endpoint routing chose for this connection's last request, when its route has no parameters: a keep-alive
    // client repeating the same method and path (the head's strings are then the same objects) gets it before routing
    // runs, and routing skips its match, as it does for any request whose endpoint is already set.
    private string? _routedMethod, _routedPath, _dispatchMethod, _dispatchPath;
    private Endpoint? _routed, _endpoint;

    /// <summary>Starts the request; true when it already completed (and the connection is still this caller's).</summary>
    private bool Dispatch()
    {
        _dispatchMethod = _head.Method;
        _dispatchPath = _head.Path;
        _endpoint = ReferenceEquals(_dispatchPath, _routedPath) && ReferenceEquals(_dispatchMethod, _routedMethod) ? _routed : null;
        _requestLength = _head.HeadLength + (int)_head.ContentLength;
        _body.Reset(_in, _inStart + _head.HeadLength, (int)_head.ContentLength, this);
        ResetResponse();
        if (!_aborted.TryReset())
        {
            _aborted.Dispose();
            _aborted = new CancellationTokenSource();
        }
        _inFlight = true;
        Volatile.Write(ref _dispatch, Dispatching);
        _ = RunAsync();
        // Whichever of this thread and the request's completion comes second goes on with the connection.
        return Interlocked.CompareExchange(ref _dispatch, Returned, Dispatching) == DoneInline;
    }

    private const int Dispatching = 0, DoneInline = 1, Returned = 2;
    private int _dispatch = Returned;

    /// <summary>On the loop thread, for a request that completed on another one: the connection goes on here.</summary>
    public override void Resume() => Process();

    private async Task RunAsync()
    {
        var app = _app;
        var context = app.CreateContext(this);
        Exception? failure = null;
        try
        {
            await app.ProcessRequestAsync(context);
            RememberRoute();
        }
        catch (Exception e)
        {
            failure = e;
        }
        var sent = false;
        try
        {
            if (failure is not null && !_started)
            {
                ResetResponse();
                _statusCode = 500;
                _headers.ContentLength = 0;
            }
            if (failure is null || !_started) await FinishAsync();
            sent = failure is null || !_started;
        }
        catch (Exception e)
        {
            failure ??= e;
        }
        app.DisposeContext(context, failure);
        await RunCompletedAsync();
        RequestDone(sent && !_closeAfter);
    }

    private void RememberRoute()
    {
        // Only a route without parameters (no route values to carry over), for the method and path as they came in (not
        // as middleware may have rewritten them).
        if (_endpoint is RouteEndpoint { RoutePattern.Parameters.Count: 0 } endpoint
            && ReferenceEquals(_head.Path, _dispatchPath) && ReferenceEquals(_head.Method, _dispatchMethod))
        {
            (_routed, _routedMethod, _routedPath) = (endpoint, _dispatchMethod, _dispatchPath);
        }
        else (_routed, _routedMethod, _routedPath) = (null, null, null);
    }

    private void RequestDone(bool keepAlive)
    {
        _inFlight = false;
        _inStart += _requestLength;
        ReleaseOutput();
        if (_inStart == _inEnd)
        {
            // Nothing buffered: the receive buffer goes back to the pool until bytes arrive (idle connections hold none).
            _inStart = _inEnd = 0;
            if (_in.Length > 0) ArrayPool<byte>.Shared.Return(_in);
            _in = [];
        }
        LastActive = Environment.TickCount64;
        if (!keepAlive || _peerGone || _aborted.IsCancellationRequested || _loop.Stopping)
        {
            Close();
            Interlocked.CompareExchange(ref _dispatch, DoneInline, Dispatching);
            return;
        }
        if (Interlocked.CompareExchange(ref _dispatch, DoneInline, Dispatching) == Dispatching) return;   // Process, up the stack, goes on
        // Completed after Dispatch returned. On another thread (an upstream call through the stock handler, a vocabulary
        // loaded on the pool), the next request goes back to the loop: served there it uses the loop's upstream pool, and
        // a busy keep-alive client cannot keep its connection on pool threads.
        if (FrontLoop.Current != _loop) _loop.Resume(this);
        else Process();
    }

    private void AbortRequest()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (AggregateException)
        {
            // a cancellation callback failed; the request is aborted either way
        }
    }

    // ---- IFeatureCollection ---------------------------------------------------------------------------------------

    bool IFeatureCollection.IsReadOnly => false;
    int IFeatureCollection.Revision => _revision;

    object? IFeatureCollection.this[Type key]
    {
        get => Find(key);
        set => Store(key, value);
    }

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default => (TFeature?)Find(typeof(TFeature));

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default => Store(typeof(TFeature), instance);

    private object? Find(Type key)
    {
        if (key == typeof(IHttpRequestFeature) || key == typeof(IHttpResponseFeature) || key == typeof(IHttpResponseBodyFeature)
            || key == typeof(IHttpRequestLifetimeFeature) || key == typeof(IHttpConnectionFeature) || key == typeof(IHttpMaxRequestBodySizeFeature)
            || key == typeof(IHttpRequestBodyDetectionFeature) || key == typeof(IEndpointFeature))
            return this;
        if (ReferenceEquals(_extra0Key, key)) return _extra0;
        if (ReferenceEquals(_extra1Key, key)) return _extra1;
        if (_extras is not null)
            foreach (var pair in _extras)
                if (pair.Key == key) return pair.Value;
        return null;
    }

    private void Store(Type key, object? value)
    {
        _revision++;
        if (key == typeof(IEndpointFeature))
        {
            _endpoint = (value as IEndpointFeature)?.Endpoint;
            return;
        }
        if (ReferenceEquals(_extra0Key, key))
        {
            _extra0 = value;
            if (value is null) _extra0Key = null;
            return;
        }
        if (ReferenceEquals(_extra1Key, key))
        {
            _extra1 = value;
            if (value is null) _extra1Key = null;
            return;
        }
        if (_extras is not null)
            for (var i = 0; i < _extras.Count; i++)
                if (_extras[i].Key == key)
                {
                    if (value is null) _extras.RemoveAt(i);
                    else _extras[i] = new(key, value);
                    return;
                }
        if (value is null) return;
        if (_extra0Key is null)
        {
            _extra0Key = key;
            _extra0 = value;
        }
        else if (_extra1Key is null)
        {
            _extra1Key = key;
            _extra1 = value;
        }
        else (_extras ??= []).Add(new(key, value));
    }

    private void ResetFeatures()
    {
        _extra0Key = _extra0 = _extra1Key = _extra1 = null;
        _extras?.Clear();
        _revision++;
    }

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator()
    {
        yield return new(typeof(IHttpRequestFeature), this);
        yield return new(typeof(IHttpResponseFeature), this);
        yield return new(typeof(IHttpResponseBodyFeature), this);
        yield return new(typeof(IHttpRequestLifetimeFeature), this);
        yield return new(typeof(IHttpConnectionFeature), this);
        yield return new(typeof(IHttpMaxRequestBodySizeFeature), this);
        yield return new(typeof(IHttpRequestBodyDetectionFeature), this);
        yield return new(typeof(IEndpointFeature), this);
        if (_extra0Key is Type k0 && _extra0 is not null) yield return new(k0, _extra0);
        if (_extra1Key is Type k1 && _extra1 is not null) yield return new(k1, _extra1);
        if (_extras is not null)
            foreach (var pair in _extras)
                yield return pair;
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<Type, object>>)this).GetEnumerator();

    TContext? IHostContextContainer<TContext>.HostContext { get; set; }

    // ---- request features -----------------------------------------------------------------------------------------

    string IHttpRequestFeature.Protocol { get => "HTTP/1.1"; set { } }
    string IHttpRequestFeature.Scheme { get => "http"; set { } }
    string IHttpRequestFeature.Method { get => _head.Method; set => _head.Method = value; }
    string IHttpRequestFeature.PathBase { get; set; } = "";
    string IHttpRequestFeature.Path { get => _head.Path; set => _head.Path = value; }
    string IHttpRequestFeature.QueryString { get => _head.Query; set => _head.Query = value; }
    string IHttpRequestFeature.RawTarget { get => _head.RawTarget; set => _head.RawTarget = value; }
    IHeaderDictionary IHttpRequestFeature.Headers { get => _head.Headers; set => throw new NotSupportedException(); }
    Stream IHttpRequestFeature.Body { get => _replacedBody ?? _body; set => _replacedBody = value; }
    private Stream? _replacedBody;

    bool IHttpRequestBodyDetectionFeature.CanHaveBody => _head.ContentLength > 0;

    Endpoint? IEndpointFeature.Endpoint { get => _endpoint; set => _endpoint = value; }

    public bool IsReadOnly => false;
    public long? MaxRequestBodySize { get; set; }

    CancellationToken IHttpRequestLifetimeFeature.RequestAborted { get => _aborted.Token; set { } }

    void IHttpRequestLifetimeFeature.Abort()
    {
        _closeAfter = true;
        AbortRequest();
        Native.shutdown(Fd, 2);
    }

    string IHttpConnectionFeature.ConnectionId { get; set; } = "";
    IPAddress? IHttpConnectionFeature.RemoteIpAddress { get => _remote?.Address; set { } }
    IPAddress? IHttpConnectionFeature.LocalIpAddress { get => _local?.Address; set { } }
    int IHttpConnectionFeature.RemotePort { get => _remote?.Port ?? 0; set { } }
    int IHttpConnectionFeature.LocalPort { get => _local?.Port ?? 0; set { } }

    /// <summary>The buffered request body; honours a MaxRequestBodySize lowered by the app as Kestrel's body reader does.</summary>
    private sealed class BodyStream : Stream
    {
        private byte[] _buffer = [];
        private int _offset, _length, _position;
        private FrontConnection<TContext>? _owner;

        public void Reset(byte[] buffer, int offset, int length, FrontConnection<TContext> owner)
        {
            _buffer = buffer;
            _offset = offset;
            _length = length;
            _position = 0;
            _owner = owner;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            if (_owner?.MaxRequestBodySize is { } max && _length > max)
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            var n = Math.Min(destination.Length, _length - _position);
            _buffer.AsSpan(_offset + _position, n).CopyTo(destination);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
