using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Upstream;

/// <summary>
/// header_override (relay.md §2.12), applied after the adapter set its headers: <c>{api_key}</c> becomes the channel key,
/// <c>{client_header:Name}</c> copies a client header (skipped when absent), <c>"*"</c> passes every client header and
/// <c>"re:…"</c>/<c>"regex:…"</c> the matching ones, never hop-by-hop, cookies, host, length, encoding or credentials.
/// Explicit entries win over pass-through.
/// </summary>
public static class HeaderOverride
{
    private static readonly HashSet<string> NeverPassed = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "cookie", "host", "content-length", "accept-encoding", "authorization", "x-api-key", "x-goog-api-key", "api-key", "mj-api-secret",
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "content-encoding", "content-type",
    };

    public static RelayError? Apply(HttpRequestMessage request, JsonObject? spec, bool invalid, IHeaderDictionary client, string key) =>
        Apply((name, value) => Set(request, name, value), spec, invalid, client, key);

    /// <summary>The same rules for a request that is not an HttpRequestMessage (the realtime WebSocket handshake).</summary>
    public static RelayError? Apply(Action<string, string> set, JsonObject? spec, bool invalid, IHeaderDictionary client, string key)
    {
        if (invalid) return Invalid();
        if (spec is null) return null;
        foreach (var (name, _) in spec)
        {
            var pattern = name == "*" ? null : name.StartsWith("re:", StringComparison.Ordinal) ? name[3..]
                : name.StartsWith("regex:", StringComparison.Ordinal) ? name[6..] : "";
            if (pattern is { Length: 0 }) continue;
            Regex? regex = null;
            try
            {
                if (pattern is not null) regex = new Regex(pattern, RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException)
            {
                return Invalid();
            }
            foreach (var (header, values) in client)
                if (!NeverPassed.Contains(header) && (regex is null || regex.IsMatch(header))) set(header, values.ToString());
        }
        foreach (var (name, node) in spec)
        {
            if (name == "*" || name.StartsWith("re:", StringComparison.Ordinal) || name.StartsWith("regex:", StringComparison.Ordinal)) continue;
            if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return Invalid();
            var value = v.GetValue<string>();
            if (value.StartsWith("{client_header:", StringComparison.Ordinal) && value.EndsWith('}'))
            {
                var from = value[15..^1];
                if (client.TryGetValue(from, out var copied) && copied.Count > 0) set(name, copied.ToString());
                continue;
            }
            set(name, value.Replace("{api_key}", key, StringComparison.Ordinal));
        }
        return null;
    }

    private static void Set(HttpRequestMessage request, string name, string value)
    {
        if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
        {
            request.Headers.Host = value;
            return;
        }
        request.Headers.Remove(name);
        if (request.Headers.TryAddWithoutValidation(name, value)) return;
        if (request.Content is null) return;
        request.Content.Headers.Remove(name);
        request.Content.Headers.TryAddWithoutValidation(name, value);
    }

    private static RelayError Invalid() =>
        RelayError.Local(500, "channel header override is invalid", ErrorCodes.ChannelHeaderOverrideInvalid, skipRetry: false);
}
