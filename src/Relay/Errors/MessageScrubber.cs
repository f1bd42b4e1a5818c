using System.Text.RegularExpressions;

namespace NewApi.Relay.Errors;

/// <summary>
/// Removes what must never reach a caller from an error text (relay.md §2.20): the channel's keys (every key of a
/// multi-key channel), its base URL and host, any other URL's host/path/query, IPv4 addresses, and values after
/// <c>api_key:</c>. NewApi: New API masked URLs and IPs but relayed a provider's echo of the credential
/// ("Incorrect API key provided: sk-…") to the caller.
/// </summary>
public static partial class MessageScrubber
{
    private const string Mask = "***";

    public static string Scrub(string message, IReadOnlyList<string> secrets, string? baseUrl)
    {
        if (message.Length == 0) return message;
        foreach (var secret in secrets)
            if (secret.Length >= 4) message = message.Replace(secret, Mask, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(baseUrl))
        {
            message = message.Replace(baseUrl.TrimEnd('/'), Mask, StringComparison.OrdinalIgnoreCase);
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var u) && u.Host.Length > 0)
                message = message.Replace(u.Host, Mask, StringComparison.OrdinalIgnoreCase);
        }
        message = UrlPattern().Replace(message, m => m.Groups["scheme"].Value + "://" + Mask);
        message = Ipv4Pattern().Replace(message, Mask);
        message = ApiKeyPattern().Replace(message, m => m.Groups["label"].Value + Mask);
        return KeyLikePattern().Replace(message, Mask);
    }

    [GeneratedRegex(@"(?<scheme>https?|wss?)://[^\s""'<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b")]
    private static partial Regex Ipv4Pattern();

    [GeneratedRegex(@"(?<label>api[_-]?key\s*[:=]\s*)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex ApiKeyPattern();

    /// <summary>Credentials in the usual provider shapes (sk-…, sk-ant-…, AIza…), whoever they belong to.</summary>
    [GeneratedRegex(@"\b(?:sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,})")]
    private static partial Regex KeyLikePattern();
}
