using System.Collections.Concurrent;
using System.Net;

namespace NewApi.Relay.Http;

/// <summary>
/// The one place outbound HTTP clients are made. <see cref="Trusted"/> serves admin-configured destinations (channel
/// base URLs, which may be a home-lab Ollama on a private address; Uptime Kuma). <see cref="Guarded"/> serves URLs that
/// come from users (image_url, webhooks, OAuth endpoints): every connection, redirect hops included, is checked by
/// <see cref="SsrfPolicy"/> against the address actually dialled, so DNS rebinding cannot swap it afterwards.
/// <see cref="Upstream"/> is the relay's invoker: one pooled handler per proxy (a channel's setting.proxy), HTTP/2
/// when the upstream offers it over TLS, no automatic redirects, no overall timeout (streams run long; the relay
/// applies connect, first-byte and idle timeouts itself).
/// </summary>
public sealed class OutboundHttp : IDisposable
{
    private readonly TimeSpan _connectTimeout;
    private readonly HttpMessageInvoker _direct;
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _proxied = new(StringComparer.Ordinal);

    public OutboundHttp(SsrfPolicy policy, TimeSpan connectTimeout)
    {
        _connectTimeout = connectTimeout;
        Trusted = new HttpClient(CreateHandler(connectTimeout, null), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        Guarded = new HttpClient(CreateHandler(connectTimeout, policy), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
        // Plain-http upstreams called from a front loop go out on that loop's own connections; everything else is the stock handler.
        _direct = new HttpMessageInvoker(new Hosting.Front.FrontHttpHandler(CreateHandler(connectTimeout, null), connectTimeout), disposeHandler: true);
    }

    public HttpClient Trusted { get; }
    public HttpClient Guarded { get; }

    /// <summary>The pooled invoker for a channel: direct, or through <paramref name="proxy"/> (http, https or socks5 URL).</summary>
    public HttpMessageInvoker Upstream(string? proxy) => string.IsNullOrEmpty(proxy)
        ? _direct
        : _proxied.GetOrAdd(proxy, static (p, timeout) => new HttpMessageInvoker(CreateHandler(timeout, null, new WebProxy(p)), disposeHandler: true),
            _connectTimeout);

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
        _direct.Dispose();
        foreach (var invoker in _proxied.Values) invoker.Dispose();
    }
}
