using System.Net;
using Microsoft.AspNetCore.Http;
using NewApi.Config;

namespace NewApi.Auth;

/// <summary>
/// The caller's IP. X-Forwarded-For / X-Real-IP are believed only from configured trusted proxies
/// (New API trusted them from anyone, making IP allow-lists and per-IP limits spoofable).
/// </summary>
public sealed class ClientIpResolver
{
    private readonly IPNetwork[] _trusted;

    public ClientIpResolver(ServerSection server)
    {
        _trusted = server.TrustedProxies.Select(p => IPNetwork.Parse(p.Contains('/') ? p : p + (p.Contains(':') ? "/128" : "/32"))).ToArray();
    }

    public IPAddress? Resolve(HttpContext ctx)
    {
        var remote = ctx.Connection.RemoteIpAddress;
        if (remote is { IsIPv4MappedToIPv6: true }) remote = remote.MapToIPv4();
        if (remote is null || _trusted.Length == 0 || !IsTrusted(remote)) return remote;
        var xff = ctx.Request.Headers["X-Forwarded-For"].ToString();
        if (xff.Length > 0)
        {
            // Walk from the right: the first hop that is not a trusted proxy is the client.
            var parts = xff.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                if (!IPAddress.TryParse(parts[i], out var ip)) return remote;
                if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
                if (i == 0 || !IsTrusted(ip)) return ip;
            }
        }
        var real = ctx.Request.Headers["X-Real-IP"].ToString();
        return IPAddress.TryParse(real, out var r) ? r : remote;
    }

    public string ResolveString(HttpContext ctx) => Resolve(ctx)?.ToString() ?? "";

    private bool IsTrusted(IPAddress ip)
    {
        foreach (var n in _trusted) if (n.Contains(ip)) return true;
        return false;
    }
}
