using Microsoft.AspNetCore.Http;

namespace NewApi.Relay.Auth;

/// <summary>The key a relay request presented, and the channel id an admin pinned with <c>sk-KEY-&lt;id&gt;</c>.</summary>
public readonly record struct PresentedKey(string Key, string? ChannelPart);

/// <summary>
/// Every place a client may put its key (relay.md §2.1, management.md §5.5), in New API's order: the WebSocket
/// subprotocol, <c>x-api-key</c> on /v1/messages and /v1/models, <c>?key=</c> then <c>x-goog-api-key</c> on the Gemini
/// paths, <c>Authorization: Bearer</c>, and <c>mj-api-secret</c> when Authorization is empty or "midjourney-proxy".
/// </summary>
public static class KeyExtractor
{
    private const string WsPrefix = "openai-insecure-api-key.";

    public static PresentedKey Extract(HttpRequest request)
    {
        // A span until the end: the key becomes one string (the "Bearer " and "sk-" prefixes never cost one each).
        var key = FromWebSocketProtocol(request) is { } ws ? ws.AsSpan() : FromAuthorization(request);
        var path = request.Path.Value ?? "";
        if ((path.Contains("/v1/messages", StringComparison.Ordinal) || path.Contains("/v1/models", StringComparison.Ordinal))
            && request.Headers["x-api-key"].ToString() is { Length: > 0 } anthropic)
            key = anthropic;
        if (path.StartsWith("/v1beta/models", StringComparison.Ordinal) || path.StartsWith("/v1beta/openai/models", StringComparison.Ordinal)
            || path.StartsWith("/v1/models", StringComparison.Ordinal))
        {
            if (request.Query["key"].ToString() is { Length: > 0 } q) key = q;
            if (request.Headers["x-goog-api-key"].ToString() is { Length: > 0 } g) key = g;
        }
        return Split(key);
    }

    private static ReadOnlySpan<char> FromAuthorization(HttpRequest request)
    {
        ReadOnlySpan<char> auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.Ordinal) || auth.StartsWith("bearer ", StringComparison.Ordinal)) auth = auth[7..];
        auth = auth.Trim();
        return auth.Length == 0 || auth.SequenceEqual("midjourney-proxy") ? request.Headers["mj-api-secret"].ToString().AsSpan().Trim() : auth;
    }

    private static string? FromWebSocketProtocol(HttpRequest request)
    {
        var header = request.Headers.SecWebSocketProtocol.ToString();
        if (header.Length == 0) return null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (part.StartsWith(WsPrefix, StringComparison.Ordinal)) return part[WsPrefix.Length..];
        return null;
    }

    /// <summary>Strips "sk-" and splits off the pinned channel (part 1 of a '-' split).</summary>
    public static PresentedKey Split(string key) => Split(key.AsSpan());

    public static PresentedKey Split(ReadOnlySpan<char> key)
    {
        if (key.StartsWith("sk-", StringComparison.Ordinal)) key = key[3..];
        var dash = key.IndexOf('-');
        if (dash < 0) return new PresentedKey(key.ToString(), null);
        var rest = key[(dash + 1)..];
        var next = rest.IndexOf('-');
        return new PresentedKey(key[..dash].ToString(), (next < 0 ? rest : rest[..next]).ToString());
    }
}
