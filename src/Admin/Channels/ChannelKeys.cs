using System.Text.Json;

namespace NewApi.Admin.Channels;

/// <summary>
/// The key column of a channel: one key, or (multi-key) newline-separated keys, or a JSON array of service-account
/// objects (Vertex). Plaintext only exists in memory; the column holds SecretBox ciphertext.
/// </summary>
internal static class ChannelKeys
{
    /// <summary>Individual keys: JSON array elements (raw JSON for objects), else trimmed non-empty lines.</summary>
    public static List<string> Split(string key)
    {
        var trimmed = key.Trim();
        if (trimmed.StartsWith('['))
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                if (doc.RootElement.ValueKind == JsonValueKind.Array)
                {
                    var list = new List<string>();
                    foreach (var e in doc.RootElement.EnumerateArray())
                    {
                        var s = e.ValueKind == JsonValueKind.String ? e.GetString()!.Trim() : Compact(e);
                        if (s.Length > 0) list.Add(s);
                    }
                    return list;
                }
            }
            catch (JsonException)
            {
                // not an array after all: treat as lines
            }
        }
        return [.. key.Split('\n').Select(k => k.Trim()).Where(k => k.Length > 0)];
    }

    /// <summary>One line of JSON: multi-key channels store their keys newline-separated.</summary>
    private static string Compact(JsonElement e)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) e.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The key a single call uses: the first one (New API reads the first line for fetch_models and balance).</summary>
    public static string First(string key) => Split(key) is [var first, ..] ? first : "";

    /// <summary>
    /// What get_key_status shows of a key. New API showed the first 10 characters (and a short key in full).
    /// NewApi: never more than half of a key, so a short key is not disclosed by its own preview.
    /// </summary>
    public static string Preview(string key)
    {
        var n = Math.Min(10, key.Length / 2);
        return string.Concat(key.AsSpan(0, n), "...");
    }
}
