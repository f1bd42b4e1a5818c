using System.Runtime.CompilerServices;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace NewApi.Hosting.Front;

/// <summary>
/// A plain-HTTP/1.1 connection to an upstream, watched by the loop that opened it. Used by one request at a time (its
/// owner reads and writes the socket itself); the loop only wakes the owner (EPOLLIN/EPOLLOUT edges) and, while the
/// connection sits idle in the pool, closes it when the upstream hangs up.
/// </summary>
internal sealed class UpstreamConnection : LoopSocket, IValueTaskSource<bool>
{
    private const long IdleLimitMs = 90_000, LifetimeMs = 5 * 60_000;

    public readonly FrontLoop Loop;
    public readonly string Origin;
    private readonly long _created = Environment.TickCount64;
    private long _idleSince;
    private int _pooled;           // 1 while idle in the pool
    private volatile bool _closed;
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private int _armed;
    public bool Reused;
    /// <summary>The request writer and the content headers of the answer being read, reused request after request.</summary>
    public object? Writer;
    public readonly List<KeyValuePair<string, string>> ContentHeaders = [];
    /// <summary>The previous answer's header strings, reused when the bytes repeat.</summary>
    public readonly HeadStrings Strings = new();

    // Receive buffer (pooled while a request uses the connection).
    public byte[] Buffer = [];
    public int Start, End;

    public UpstreamConnection(FrontLoop loop, string origin, int fd) : base(fd, FrontLoop.NextGeneration())
    {
        Loop = loop;
        Origin = origin;
    }

    public override bool Closed => _closed;
    public bool Expired => Environment.TickCount64 - _created > LifetimeMs;

    public override void OnEvent(uint flags)
    {
        if (Volatile.Read(ref _pooled) == 1)
        {
            if ((flags & (Native.EPOLLIN | Native.EPOLLRDHUP | Native.EPOLLHUP | Native.EPOLLERR)) != 0) Loop.DropIdle(this);
            return;
        }
        Wake(true);
    }

    public override void Sweep(long now, bool stopping)
    {
        if (Volatile.Read(ref _pooled) == 1 && (stopping || now - _idleSince > IdleLimitMs)) Loop.DropIdle(this);
    }

    public void EnterPool()
    {
        ReleaseBuffer();
        _idleSince = Environment.TickCount64;
        Reused = true;
        Volatile.Write(ref _pooled, 1);
    }

    public bool LeavePool() => Interlocked.CompareExchange(ref _pooled, 0, 1) == 1;

    public void Close()
    {
        if (_closed) return;
        _closed = true;
        Loop.Forget(this);
        Native.close(Fd);
        ReleaseBuffer();
    }

    private void ReleaseBuffer()
    {
        if (Buffer.Length > 0) ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
        Start = End = 0;
    }

    public void EnsureBuffer()
    {
        if (Buffer.Length == 0) Buffer = ArrayPool<byte>.Shared.Rent(8 * 1024);
    }

    // ---- waiting for the loop -----------------------------------------------------------------------------------------

    private void Wake(bool ok)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1) _waiter.SetResult(ok);
    }

    public void Cancel()
    {
        Wake(false);   // the waiter re-checks its own token: a late callback of an earlier wait only causes a retry
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Runs <paramref name="attempt"/> (a non-blocking syscall: &gt;0 done, 0 would block, &lt;0 failed) until it does
    /// not block, waiting for the loop's edge in between. Returns the result, or throws when <paramref name="ct"/> fires.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> RetryAsync<TState>(TState state, Func<TState, int> attempt, CancellationToken ct, bool expectWait = false)
    {
        // On the owning loop's thread, an answer that is certainly not there yet (the request was just sent) is waited
        // for without trying first: the loop cannot have consumed the edge of its arrival before the wait is armed,
        // because it is this thread. Saves the receive that would find nothing.
        if (expectWait && FrontLoop.Current == Loop && !ct.IsCancellationRequested)
        {
            _waiter.Reset();
            Volatile.Write(ref _armed, 1);
            using (Watch(ct)) await new ValueTask<bool>(this, _waiter.Version);
        }
        while (true)
        {
            var n = attempt(state);
            if (n != 0) return n;
            if (ct.IsCancellationRequested) break;
            _waiter.Reset();
            Volatile.Write(ref _armed, 1);
            n = attempt(state);
            if (n != 0)
            {
                if (Interlocked.Exchange(ref _armed, 0) == 0) await new ValueTask<bool>(this, _waiter.Version);
                return n;
            }
            using (Watch(ct)) await new ValueTask<bool>(this, _waiter.Version);
            if (ct.IsCancellationRequested) break;
        }
        throw new OperationCanceledException(ct);
    }

    /// <summary>Wakes a wait of this connection when <paramref name="ct"/> fires (for the wait's duration: dispose after it).
    /// Inline in <see cref="RetryAsync{TState}"/> rather than an async method of its own, whose pooled box many
    /// concurrent waits on one thread would outnumber.</summary>
    private CancellationTokenRegistration Watch(CancellationToken ct) =>
        ct.CanBeCanceled ? ct.UnsafeRegister(static s => ((UpstreamConnection)s!).Cancel(), this) : default;

    // ---- syscalls -----------------------------------------------------------------------------------------------------

    /// <summary>&gt;0 bytes read, 0 would block, -1 end of stream, -2 failed.</summary>
    public unsafe int TryReceive(Span<byte> into)
    {
        nint n;
        fixed (byte* p = into) n = Native.recv(Fd, p, into.Length, 0);
        if (n > 0) return (int)n;
        if (n == 0) return -1;
        return Native.Errno is Native.EAGAIN or Native.EINTR ? 0 : -2;
    }

    /// <summary>&gt;0 bytes sent, 0 would block, -2 failed.</summary>
    public unsafe int TrySend(ReadOnlySpan<byte> bytes)
    {
        nint n;
        fixed (byte* p = bytes) n = Native.send(Fd, p, bytes.Length, Native.MSG_NOSIGNAL);
        if (n > 0) return (int)n;
        return Native.Errno is Native.EAGAIN or Native.EINTR ? 0 : -2;
    }

    /// <summary>0 connected, 1 in progress, or -errno.</summary>
    public static unsafe int Open(IPAddress address, int port, out int fd)
    {
        var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2;
        fd = Native.socket(family, 1 | Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC, 0);
        if (fd < 0) return -Native.Errno;
        var one = 1;
        Native.setsockopt(fd, Native.IPPROTO_TCP, Native.TCP_NODELAY, &one, 4);
        var sockaddr = stackalloc byte[28];
        new Span<byte>(sockaddr, 28).Clear();
        int length;
        *(ushort*)sockaddr = (ushort)family;
        sockaddr[2] = (byte)(port >> 8);
        sockaddr[3] = (byte)port;
        if (family == 2)
        {
            address.TryWriteBytes(new Span<byte>(sockaddr + 4, 4), out _);
            length = 16;
        }
        else
        {
            address.TryWriteBytes(new Span<byte>(sockaddr + 8, 16), out _);
            *(uint*)(sockaddr + 24) = (uint)address.ScopeId;
            length = 28;
        }
        if (Native.connect(fd, sockaddr, length) == 0) return 0;
        var errno = Native.Errno;
        if (errno == Native.EINPROGRESS) return 1;
        Native.close(fd);
        fd = -1;
        return -errno;
    }

    /// <summary>The pending connect's outcome: 0, or the errno it failed with.</summary>
    public unsafe int ConnectError()
    {
        int error = 0, length = 4;
        return Native.getsockopt(Fd, 1, 4 /* SO_ERROR */, &error, &length) == 0 ? error : Native.Errno;
    }
}
