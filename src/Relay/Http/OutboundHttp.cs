using System.Net;
using System.Net.Sockets;

namespace NewApi.Relay.Http;

/// <summary>
/// The one place outbound HTTP clients are made. <see cref="Trusted"/> serves admin-configured destinations (channel
/// base URLs, which may be a home-lab Ollama on a private address; Uptime Kuma). <see cref="Guarded"/> serves URLs that
/// come from users (image_url, webhooks, OAuth endpoints): every connection, redirect hops included, is checked by
/// <see cref="SsrfPolicy"/> against the address actually dialled, so DNS rebinding cannot swap it afterwards.
/// </summary>
public sealed class OutboundHttp : IDisposable
{
    public OutboundHttp(SsrfPolicy policy, TimeSpan connectTimeout)
    {
        Trusted = new HttpClient(CreateHandler(connectTimeout, null), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        Guarded = new HttpClient(CreateHandler(connectTimeout, policy), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Trusted { get; }
    public HttpClient Guarded { get; }

    public static SocketsHttpHandler CreateHandler(TimeSpan connectTimeout, SsrfPolicy? policy, IWebProxy? proxy = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            MaxConnectionsPerServer = 1000,
            ConnectTimeout = connectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            UseCookies = false,
            AllowAutoRedirect = policy is not null,
            MaxAutomaticRedirections = 5,
            Proxy = proxy,
            UseProxy = proxy is not null,
        };
        if (policy is not null && proxy is null) handler.ConnectCallback = policy.ConnectAsync;
        return handler;
    }

    public void Dispose()
    {
        Trusted.Dispose();
        Guarded.Dispose();
    }
}
