using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;

namespace NewApi.Hosting.Front;

/// <summary>What <see cref="FrontTransport"/> needs of the loops without knowing the host's context type.</summary>
internal interface IFrontLoops
{
    void AddListener(int fd, FrontListener listener);
    void RemoveListener(int fd);
    void Stop();
    Task WaitDrainedAsync(CancellationToken ct);
}

/// <summary>
/// One epoll thread: accepts connections from the shared listening sockets (EPOLLEXCLUSIVE: one loop is woken per
/// connection), reads requests, and runs the ones <see cref="RequestHead"/> accepts through the host's application
/// inline on this thread, as Kestrel's inline scheduling would — minus Kestrel's pipes, its connection middleware and
/// the receive that finds nothing after each request. Everything else is handed, with the bytes already read, to
/// Kestrel through <see cref="FrontListener"/>.
/// </summary>
internal sealed unsafe partial class FrontLoop
{
    public const long MaxBody = InlineIo.MaxInlineBody;
    private const ulong ListenerTag = 1UL << 63, WakeTag = 1UL << 62;

    /// <summary>The loop whose thread this is (null on every other thread).</summary>
    [ThreadStatic] public static FrontLoop? Current;

    private readonly Func<FrontLoop, FrontListener, int, uint, IPEndPoint?, LoopSocket> _connect;
    private readonly int _epoll, _wake;
    private readonly ILogger _logger;
    private readonly long _keepAliveMs, _stallMs;
    private readonly Dictionary<int, FrontListener> _listeners = [];
    private readonly ConcurrentQueue<LoopSocket> _resumed = new();   // connections whose request completed off the loop
    private readonly Lock _gate = new();
    private LoopSocket?[] _slots = new LoopSocket?[1024];
    private static uint _generation;
    private volatile bool _stopping;
    private readonly Thread _thread;
    private readonly FrontSpin _spin;
    private readonly int _index;
    private long _lastSweep;
    private long _acceptPausedUntil;   // out of descriptors: the listeners are out of this loop's epoll until then
    private long _acceptPauseLogged;

    public FrontLoop(Func<FrontLoop, FrontListener, int, uint, IPEndPoint?, LoopSocket> connect, int index, ILogger logger, TimeSpan keepAlive,
        TimeSpan stall, FrontSpin spin)
    {
        _connect = connect;
        _index = index;
        _spin = spin;
        _logger = logger;
        _keepAliveMs = (long)keepAlive.TotalMilliseconds;
        _stallMs = (long)stall.TotalMilliseconds;
        _epoll = Native.epoll_create1(Native.SOCK_CLOEXEC);
        _wake = Native.eventfd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
        if (_epoll < 0 || _wake < 0) throw new InvalidOperationException($"epoll set-up failed (errno {Native.Errno})");
        var ev = new Native.EpollEvent { Events = Native.EPOLLIN, Data = WakeTag };
        Native.epoll_ctl(_epoll, Native.EPOLL_CTL_ADD, _wake, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = $"front-io-{index}" };
        _thread.Start();
    }

    public bool Stopping => _stopping;

    public void AddListener(int fd, FrontListener listener)
    {
        lock (_gate) _listeners[fd] = listener;
        if (!WatchListener(fd)) throw new InvalidOperationException($"epoll_ctl on the listening socket failed (errno {Native.Errno})");
    }

    /// <summary>Level-triggered, one loop woken per connection (EPOLLEXCLUSIVE).</summary>
    private bool WatchListener(int fd)
    {
        var ev = new Native.EpollEvent { Events = Native.EPOLLIN | Native.EPOLLEXCLUSIVE, Data = ListenerTag | (uint)fd };
        return Native.epoll_ctl(_epoll, Native.EPOLL_CTL_ADD, fd, &ev) == 0;
    }

    private const int AcceptPauseMs = 100;

    /// <summary>
    /// Out of descriptors (or kernel memory): the pending connection stays in the listen queue and the listening socket
    /// stays readable, so a level-triggered wait would return at once for ever and spin the loop. Like nginx, the loop
    /// stops watching its listeners for a moment and tries again; the connections it already has go on meanwhile.
    /// </summary>
    private void PauseAccepting(int errno)
    {
        if (_acceptPausedUntil != 0) return;
        lock (_gate)
            foreach (var fd in _listeners.Keys) Native.epoll_ctl(_epoll, Native.EPOLL_CTL_DEL, fd, null);
        var now = Environment.TickCount64;
        _acceptPausedUntil = now + AcceptPauseMs;
        if (now - _acceptPauseLogged < 10_000 && _acceptPauseLogged != 0) return;   // a warning every 10 s at most
        _acceptPauseLogged = now;
        HostingLog.AcceptPaused(_logger, errno, AcceptPauseMs);
    }

    private void ResumeAccepting()
    {
        _acceptPausedUntil = 0;
        lock (_gate)
            foreach (var fd in _listeners.Keys) WatchListener(fd);
    }

    public void RemoveListener(int fd)
    {
        Native.epoll_ctl(_epoll, Native.EPOLL_CTL_DEL, fd, null);
        lock (_gate) _listeners.Remove(fd);
    }

    public void Stop()
    {
        _stopping = true;
        Wake();
    }

    private void Wake()
    {
        ulong one = 1;
        Native.write(_wake, (byte*)&one, 8);
    }

    /// <summary>True once no connection is left on this loop.</summary>
    public bool Drained
    {
        get
        {
            foreach (var c in Volatile.Read(ref _slots))
                if (c is { Closed: false }) return false;
            return true;
        }
    }

    public long KeepAliveMs => _keepAliveMs;
    public long StallMs => _stallMs;

    public void Forget(LoopSocket connection)
    {
        var slots = Volatile.Read(ref _slots);
        if (connection.Fd < slots.Length) Interlocked.CompareExchange(ref slots[connection.Fd], null, connection);
    }

    /// <summary>Adds a socket this loop watches (edge-triggered in, out and hang-ups); any thread.</summary>
    public bool Register(LoopSocket socket)
    {
        lock (_gate)
        {
            var slots = _slots;
            if (socket.Fd >= slots.Length)
            {
                var bigger = new LoopSocket?[Math.Max(slots.Length * 2, socket.Fd + 1)];
                Array.Copy(slots, bigger, slots.Length);
                Volatile.Write(ref _slots, slots = bigger);
            }
            Volatile.Write(ref slots[socket.Fd], socket);
        }
        var ev = new Native.EpollEvent
        {
            Events = Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP | Native.EPOLLET,
            Data = ((ulong)socket.Generation << 32) | (uint)socket.Fd,
        };
        if (Native.epoll_ctl(_epoll, Native.EPOLL_CTL_ADD, socket.Fd, &ev) == 0) return true;
        Forget(socket);
        return false;
    }

    /// <summary>Stops watching a socket that lives on elsewhere (handed to Kestrel).</summary>
    public void Unwatch(int fd) => Native.epoll_ctl(_epoll, Native.EPOLL_CTL_DEL, fd, null);

    public static uint NextGeneration() => Interlocked.Increment(ref _generation);

    private void Run()
    {
        Current = this;
        const int max = 256;
        var events = stackalloc Native.EpollEvent[max];
        long spinUntil = 0;
        while (true)
        {
            // While polling (see below) the wait does not sleep. The error is read at once, before anything else can
            // call into native code: the pressure check reads a file, which would leave the last error at 0.
            var n = Native.epoll_wait(_epoll, events, max, spinUntil != 0 ? 0 : _acceptPausedUntil != 0 ? AcceptPauseMs : 1000);
            var errno = n < 0 ? Native.Errno : 0;
            if (spinUntil != 0)
            {
                // Poll without sleeping for a while after the last event: the answer or the next request usually comes
                // sooner than a sleep and a wake-up would take.
                if (n == 0 && Stopwatch.GetTimestamp() < spinUntil) continue;
                spinUntil = 0;
                if (n == 0) continue;
            }
            if (n < 0)
            {
                // A signal (SIGCONT after a shell's fg, a debugger attaching) interrupts the wait with EINTR; only a
                // broken epoll descriptor ends the loop.
                if (errno != Native.EINTR)
                {
                    HostingLog.FrontLoopFailed(_logger, errno);
                    return;
                }
                n = 0;
            }
            else if (n > 0 && _spin.Allowed) spinUntil = Stopwatch.GetTimestamp() + _spin.Ticks;
            if (_index == 0) _spin.Check();
            for (var i = 0; i < n; i++)
            {
                var data = events[i].Data;
                var flags = events[i].Events;
                try
                {
                    if ((data & ListenerTag) != 0) Accept((int)(uint)data);
                    else if ((data & WakeTag) != 0) Drain();
                    else Dispatch((int)(uint)data, (uint)(data >> 32), flags);
                }
                catch (Exception e)
                {
                    HostingLog.FrontEventFailed(_logger, e);
                }
            }
            var now = Environment.TickCount64;
            if (_acceptPausedUntil != 0 && now >= _acceptPausedUntil) ResumeAccepting();
            if (_stopping || now - _lastSweep >= 1000)
            {
                _lastSweep = now;
                Sweep(now);
                if (_stopping && Drained && _resumed.IsEmpty)
                {
                    Native.close(_wake);
                    Native.close(_epoll);
                    return;
                }
            }
        }
    }

    private void Drain()
    {
        ulong value;
        Native.read(_wake, (byte*)&value, 8);
        while (_resumed.TryDequeue(out var socket))
        {
            try
            {
                socket.Resume();
            }
            catch (Exception e)
            {
                HostingLog.FrontEventFailed(_logger, e);
            }
        }
    }

    /// <summary>Any thread: runs <paramref name="socket"/>'s <see cref="LoopSocket.Resume"/> on this loop's thread.</summary>
    public void Resume(LoopSocket socket)
    {
        _resumed.Enqueue(socket);
        Wake();
    }

    private void Dispatch(int fd, uint generation, uint flags)
    {
        var slots = Volatile.Read(ref _slots);
        if (fd >= slots.Length || Volatile.Read(ref slots[fd]) is not { } socket || socket.Generation != generation) return;
        socket.OnEvent(flags);
    }

    private void Accept(int listenFd)
    {
        FrontListener? listener;
        lock (_gate) _listeners.TryGetValue(listenFd, out listener);
        if (listener is null) return;
        var address = stackalloc byte[128];
        for (var accepted = 0; accepted < 32; accepted++)
        {
            var length = 128;
            var fd = Native.accept4(listenFd, address, &length, Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC);
            if (fd < 0)
            {
                var errno = Native.Errno;
                if (errno is Native.EMFILE or Native.ENFILE or Native.ENOBUFS or Native.ENOMEM) PauseAccepting(errno);
                return;
            }
            if (_stopping)
            {
                Native.close(fd);
                continue;
            }
            var one = 1;
            Native.setsockopt(fd, Native.IPPROTO_TCP, Native.TCP_NODELAY, &one, 4);
            var connection = _connect(this, listener, fd, NextGeneration(), Remote(address, length));
            if (!Register(connection)) Native.close(fd);
        }
    }

    private static IPEndPoint? Remote(byte* address, int length)
    {
        var family = *(ushort*)address;
        var port = (address[2] << 8) | address[3];
        if (family == 2 && length >= 8) return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)), port);
        if (family == 10 && length >= 24)
        {
            var ip = new IPAddress(new ReadOnlySpan<byte>(address + 8, 16), *(uint*)(address + 24));
            return new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, port);
        }
        return null;
    }

    private void Sweep(long now)
    {
        var slots = Volatile.Read(ref _slots);
        foreach (var socket in slots)
        {
            if (socket is null || socket.Closed) continue;
            try
            {
                socket.Sweep(now, _stopping);
            }
            catch (Exception e)
            {
                HostingLog.FrontEventFailed(_logger, e);
            }
        }
    }
}

/// <summary>A socket a loop watches: a client connection or a pooled upstream connection.</summary>
internal abstract class LoopSocket(int fd, uint generation)
{
    public readonly int Fd = fd;
    public readonly uint Generation = generation;
    public abstract bool Closed { get; }

    /// <summary>Edge-triggered epoll flags for this socket, on the loop thread.</summary>
    public abstract void OnEvent(uint flags);

    /// <summary>Once a second on the loop thread (and at every turn while stopping).</summary>
    public abstract void Sweep(long now, bool stopping);

    /// <summary>On the loop thread, after <see cref="FrontLoop.Resume"/>.</summary>
    public virtual void Resume()
    {
    }
}

/// <summary>The loops of one server, created when the host hands over its application.</summary>
internal sealed class FrontLoops<TContext> : IFrontLoops where TContext : notnull
{
    private readonly FrontLoop[] _loops;

    public FrontLoops(IHttpApplication<TContext> app, int count, ILogger logger, TimeSpan keepAlive, int spinMicros)
    {
        _loops = new FrontLoop[count];
        var spin = new FrontSpin(spinMicros);
        for (var i = 0; i < count; i++)
            _loops[i] = new FrontLoop((loop, listener, fd, generation, remote) => new FrontConnection<TContext>(loop, app, listener, fd, generation, remote,
                listener.Local), i, logger, keepAlive, TimeSpan.FromSeconds(5), spin);
    }

    public void AddListener(int fd, FrontListener listener)
    {
        foreach (var loop in _loops) loop.AddListener(fd, listener);
    }

    public void RemoveListener(int fd)
    {
        foreach (var loop in _loops) loop.RemoveListener(fd);
    }

    public void Stop()
    {
        foreach (var loop in _loops) loop.Stop();
    }

    public async Task WaitDrainedAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !_loops.All(l => l.Drained))
            await Task.Delay(20, ct).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
