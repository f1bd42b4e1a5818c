using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Relay.Routing;

/// <summary>
/// A channel's JSON columns and keys, parsed and decrypted once per routing snapshot (the row is immutable; a
/// channel write builds a new row and so a new runtime). Invalid JSON is kept as an error flag: the request that
/// meets it fails with New API's <c>channel:*</c> code instead of silently ignoring the setting.
/// </summary>
public sealed class ChannelRuntime
{
    private int _polling;
    private const int MaxCachedUris = 64;
    private const int MaxCachedPathLength = 32;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    /// <summary>
    /// The upstream URI for a client path, built once per channel version: a <see cref="Uri"/> parses itself and
    /// caches its parts on first use, so sharing one (it is immutable) saves that work and its strings per request.
    /// Only for URIs that depend on nothing but the channel and the path (bounded: paths with ids are not kept).
    /// </summary>
    /// <summary>"Bearer {key}" for a key of this channel, made once per key instead of once per request.</summary>
    public string BearerFor(int keyIndex, string key)
    {
        if ((uint)keyIndex >= (uint)Keys.Count || !ReferenceEquals(Keys[keyIndex], key)) return "Bearer " + key;
        var values = _bearer ??= new string?[Keys.Count];
        return values[keyIndex] ??= "Bearer " + key;
    }

    private string?[]? _bearer;

    public Uri UriFor<TState>(string clientPath, TState state, Func<TState, string, Uri> build)
    {
        if (_uris.TryGetValue(clientPath, out var uri)) return uri;
        uri = build(state, clientPath);
        // Route paths are short (/v1/chat/completions, /v1/audio/transcriptions); paths carrying ids are not kept.
        if (clientPath.Length <= MaxCachedPathLength && _uris.Count < MaxCachedUris) _uris.TryAdd(clientPath, uri);
        return uri;
    }

    public required IReadOnlyList<string> Keys { get; init; }
    public bool MultiKey { get; init; }
    public bool Polling { get; init; }
    /// <summary>Key indexes disabled in channel_info.multi_key_status_list.</summary>
    public FrozenSet<int> DisabledKeys { get; init; } = FrozenSet<int>.Empty;
    public FrozenDictionary<string, string>? ModelMapping { get; init; }
    public bool ModelMappingInvalid { get; init; }
    public FrozenDictionary<int, int> StatusCodeMapping { get; init; } = FrozenDictionary<int, int>.Empty;
    public JsonObject? HeaderOverride { get; init; }
    public bool HeaderOverrideInvalid { get; init; }
    public JsonObject? ParamOverride { get; init; }
    public bool ParamOverrideInvalid { get; init; }
    public string? Proxy { get; init; }
    public string? SystemPrompt { get; init; }
    public bool SystemPromptOverride { get; init; }
    public bool PassThroughBody { get; init; }
    public bool AllowServiceTier { get; init; }
    public bool AllowSafetyIdentifier { get; init; }
    public bool AllowIncludeObfuscation { get; init; }
    public bool DisableStore { get; init; }

    /// <summary>Picks a usable key: uniform among enabled keys, or round-robin in polling mode; -1 when none is left.</summary>
    public int PickKey(IRandomSource random)
    {
        if (!MultiKey) return Keys.Count > 0 ? 0 : -1;
        var enabled = Keys.Count - DisabledKeys.Count(i => i < Keys.Count);
        if (enabled <= 0) return -1;
        if (Polling)
        {
            for (var n = 0; n < Keys.Count; n++)
            {
                var i = (int)((uint)Interlocked.Increment(ref _polling) % (uint)Keys.Count);
                if (!DisabledKeys.Contains(i)) return i;
            }
            return -1;
        }
        var pick = (int)random.Next(enabled);
        for (var i = 0; i < Keys.Count; i++)
            if (!DisabledKeys.Contains(i) && pick-- == 0) return i;
        return -1;
    }

    public static FrozenDictionary<string, string>? ParseStringMap(string? json, out bool invalid)
    {
        invalid = false;
        if (string.IsNullOrWhiteSpace(json) || json.Trim() == "{}") return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { invalid = true; return null; }
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.String) map[p.Name] = p.Value.GetString()!;
            return map.Count == 0 ? null : map.ToFrozenDictionary(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            invalid = true;
            return null;
        }
    }

    /// <summary>status_code_mapping: <c>{"429":"503","500":502}</c>; 200 is never remapped.</summary>
    public static FrozenDictionary<int, int> ParseStatusMapping(string? json)
    {
        var map = new Dictionary<int, int>();
        if (string.IsNullOrWhiteSpace(json)) return FrozenDictionary<int, int>.Empty;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return FrozenDictionary<int, int>.Empty;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!int.TryParse(p.Name, out var from) || from == 200) continue;
                var to = p.Value.ValueKind switch
                {
                    JsonValueKind.Number when p.Value.TryGetInt32(out var n) => n,
                    JsonValueKind.String when int.TryParse(p.Value.GetString(), out var s) => s,
                    _ => 0,
                };
                if (to is >= 100 and <= 599) map[from] = to;
            }
        }
        catch (JsonException)
        {
            return FrozenDictionary<int, int>.Empty;
        }
        return map.ToFrozenDictionary();
    }

    public static JsonObject? ParseObject(string? json, out bool invalid)
    {
        invalid = false;
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            if (JsonNode.Parse(json) is JsonObject obj) return obj.Count == 0 ? null : obj;
            invalid = true;
            return null;
        }
        catch (JsonException)
        {
            invalid = true;
            return null;
        }
    }
}
