using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NewApi.Hosting.Front;

/// <summary>
/// Kestrel's transport when the front loops run: an IP endpoint's listening socket is watched by the loops, and
/// Kestrel's "accepted" connections are the ones the loops hand over (anything they do not serve themselves), as
/// Kestrel's own socket connections with the bytes already read in front. Other endpoints (Unix sockets, handles) go
/// to the stock socket transport.
/// </summary>
internal sealed class FrontTransport(ILoggerFactory loggers, bool inlineIo) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _fallback = new(Options.Create(new SocketTransportOptions { UnsafePreferInlineScheduling = inlineIo }), loggers);
    private readonly SocketConnectionContextFactory _contexts = new(new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = inlineIo },
        loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
    private IFrontLoops? _loops;

    public void Attach(IFrontLoops loops) => _loops = loops;

    public bool CanBind(EndPoint endpoint) => true;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip || _loops is null) return _fallback.BindAsync(endpoint, cancellationToken);
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(ip);
            socket.Listen(512);
            socket.Blocking = false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var listener = new FrontListener(socket, (IPEndPoint)socket.LocalEndPoint!, _contexts, _loops);
        _loops.AddListener(listener.Fd, listener);
        return new ValueTask<IConnectionListener>(listener);
    }
}

/// <summary>One bound endpoint: Kestrel accepts from here what the loops hand over.</summary>
internal sealed class FrontListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly SocketConnectionContextFactory _contexts;
    private readonly IFrontLoops _loops;
    private readonly Channel<ConnectionContext> _adopted = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });
    private int _unbound;

    public FrontListener(Socket socket, IPEndPoint local, SocketConnectionContextFactory contexts, IFrontLoops loops)
    {
        _socket = socket;
        _contexts = contexts;
        _loops = loops;
        Local = local;
        Fd = (int)socket.SafeHandle.DangerousGetHandle();
    }

    public int Fd { get; }
    public IPEndPoint Local { get; }
    public EndPoint EndPoint => Local;

    /// <summary>Called by a loop: the connection continues in Kestrel, the bytes already read first.</summary>
    public void Adopt(int fd, byte[] prefix, IPEndPoint? remote, IPEndPoint? local)
    {
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (SocketException)
        {
            Native.close(fd);
            return;
        }
        var context = _contexts.Create(socket);
        context.Features.Set<IMemoryPoolFeature>(BlockPool.Feature);
        if (prefix.Length > 0) context.Transport = new DuplexPipe(new PrefixedPipeReader(prefix, context.Transport.Input), context.Transport.Output);
        if (!_adopted.Writer.TryWrite(context)) _ = context.DisposeAsync();
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _adopted.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            _loops.RemoveListener(Fd);
            _adopted.Writer.TryComplete();
        }
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();
        _socket.Dispose();
        while (_adopted.Reader.TryRead(out var left)) await left.DisposeAsync();
    }

    /// <summary>
    /// Kestrel's HTTP layer sizes its chunked writes by its connection's memory pool; the public connection factory's
    /// default (the shared array pool, unbounded buffers) made its chunked writer hand out empty spans mid-stream. Kestrel's
    /// own transport gives it 4 KiB blocks; so does this.
    /// </summary>
    private sealed class BlockPool : MemoryPool<byte>, IMemoryPoolFeature
    {
        public static readonly BlockPool Feature = new();
        private const int BlockSize = 4096;

        public MemoryPool<byte> MemoryPool => this;
        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            if (minBufferSize > BlockSize) throw new ArgumentOutOfRangeException(nameof(minBufferSize));
            return new Block(ArrayPool<byte>.Shared.Rent(BlockSize));
        }

        protected override void Dispose(bool disposing) { }

        private sealed class Block(byte[] array) : IMemoryOwner<byte>
        {
            private byte[]? _array = array;
            public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(Block))).AsMemory(0, BlockSize);

            public void Dispose()
            {
                var a = Interlocked.Exchange(ref _array, null);
                if (a is not null) ArrayPool<byte>.Shared.Return(a);
            }
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
