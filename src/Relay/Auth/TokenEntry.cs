using System.Collections.Frozen;
using System.Net;
using NewApi.Common;
using NewApi.Storage.Tokens;

namespace NewApi.Relay.Auth;

/// <summary>A token as the relay checks it: the row plus its model allow-list and IP networks, parsed once per load.</summary>
public sealed class TokenEntry
{
    public TokenEntry(TokenRow row)
    {
        Row = row;
        ModelLimits = row.ModelLimits.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToFrozenSet(StringComparer.Ordinal);
        AllowedNetworks = ParseIps(row.AllowIps);
    }

    public TokenRow Row { get; }
    public long Id => Row.Id;
    public FrozenSet<string> ModelLimits { get; }
    /// <summary>Null when the token has no IP restriction.</summary>
    public IPNetwork[]? AllowedNetworks { get; }

    public bool IsExpired(long now) => Row.ExpiredTime != -1 && Row.ExpiredTime < now;

    /// <summary>new-api allow_ips: newline-separated IPs or CIDRs; commas and spaces inside a line are ignored.</summary>
    private static IPNetwork[]? ParseIps(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var list = new List<IPNetwork>();
        foreach (var line in text.Split('\n'))
        {
            var entry = line.Replace(",", "").Replace(" ", "").Trim();
            if (entry.Length == 0) continue;
            if (IPNetwork.TryParse(entry, out var net)) list.Add(net);
            else if (IPAddress.TryParse(entry, out var ip)) list.Add(new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
        }
        return list.Count == 0 ? null : [.. list];
    }

    public bool AllowsIp(IPAddress ip)
    {
        if (AllowedNetworks is null) return true;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        foreach (var n in AllowedNetworks) if (n.Contains(ip)) return true;
        return false;
    }

    public bool Enabled => Row.Status == TokenStatus.Enabled;
}
