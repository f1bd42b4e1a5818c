using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NewApi.Hosting.Front;

/// <summary>
/// server.front_io: the server is Kestrel (configured as before) behind its own epoll loops. The loops serve relay
/// calls with modest Content-Length bodies themselves and hand every other connection to Kestrel; see
/// <see cref="FrontLoop{TContext}"/>. Linux only; elsewhere, or with the option off, plain Kestrel.
/// </summary>
internal sealed class FrontServer : IServer
{
    private readonly KestrelServer _kestrel;
    private readonly FrontTransport _transport;
    private readonly ILogger _logger;
    private readonly int _loopCount;
    private IFrontLoops? _loops;

    private readonly int _spinMicros;

    public FrontServer(IServiceProvider services, bool inlineIo, int loops, int spinMicros)
    {
        _spinMicros = spinMicros;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        _logger = loggers.CreateLogger("NewApi.Front");
        _transport = new FrontTransport(loggers, inlineIo);
        _kestrel = new KestrelServer(services.GetRequiredService<IOptions<KestrelServerOptions>>(), _transport, loggers);
        _loopCount = loops;
    }

    public IFeatureCollection Features => _kestrel.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        var keepAlive = _kestrel.Options.Limits.KeepAliveTimeout;
        var loops = new FrontLoops<TContext>(application, _loopCount, _logger, keepAlive, _spinMicros);
        _loops = loops;
        _transport.Attach(loops);
        try
        {
            await _kestrel.StartAsync(application, cancellationToken);
        }
        catch
        {
            loops.Stop();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loops is { } loops)
        {
            loops.Stop();
            var kestrel = _kestrel.StopAsync(cancellationToken);
            await loops.WaitDrainedAsync(cancellationToken);
            await kestrel;
        }
        else await _kestrel.StopAsync(cancellationToken);
    }

    public void Dispose() => _kestrel.Dispose();

    public static bool Supported => OperatingSystem.IsLinux();
}
