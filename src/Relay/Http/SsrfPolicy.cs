using System.Net;
using System.Net.Sockets;

namespace NewApi.Relay.Http;

/// <summary>
/// Refuses connections to loopback, private, link-local (cloud metadata 169.254.169.254), CGNAT, multicast and
/// reserved ranges unless allowed by option. The name is resolved once and the vetted address is the one dialled.
/// </summary>
public sealed class SsrfPolicy
{
    private static readonly IPNetwork[] Denied =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"), IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"), IPNetwork.Parse("64:ff9b::/96"),
        IPNetwork.Parse("2001:db8::/32"),
    ];

    /// <summary>Reads the live option (fetch_setting.allow_private_ip / enable_ssrf_protection) on every check.</summary>
    public Func<bool> AllowPrivate { get; init; } = static () => false;
    public Func<IReadOnlyCollection<int>?> AllowedPorts { get; init; } = static () => null;

    public static bool IsDenied(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        foreach (var n in Denied) if (n.Contains(ip)) return true;
        return false;
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        if (AllowedPorts() is { Count: > 0 } ports && !ports.Contains(port))
            throw new HttpRequestException($"outbound request refused: port {port} is not allowed");
        IPAddress[] addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new HttpRequestException($"outbound request refused: {host} does not resolve");
        var allowPrivate = AllowPrivate();
        foreach (var a in addresses)
            if (!allowPrivate && IsDenied(a))
                throw new HttpRequestException("outbound request refused: the address is private, loopback or link-local");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses[0], port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
