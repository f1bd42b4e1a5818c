using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace NewApi.Json;

/// <summary>
/// Whether every string of a JSON text can be read as a .NET string. JsonDocument accepts invalid UTF-8 inside strings
/// and escapes of unpaired surrogates (<c>"\ud800"</c>); reading such a string later throws. Bodies are checked once,
/// up front, so they are refused as bad input (400) instead of failing deep inside a handler.
/// </summary>
public static class JsonText
{
    /// <summary>Valid UTF-8 and no unpaired surrogate escape in any string or property name (a text that is not JSON at all
    /// passes: the parser reports that).</summary>
    public static bool StringsDecode(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json)) return false;
        if (json.IndexOf("\\ud"u8) < 0 && json.IndexOf("\\uD"u8) < 0) return true;   // no surrogate escape at all: the common case
        var reader = new Utf8JsonReader(json);
        char[]? scratch = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
                var need = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                if (scratch is null || scratch.Length < need)
                {
                    if (scratch is not null) ArrayPool<char>.Shared.Return(scratch);
                    scratch = ArrayPool<char>.Shared.Rent(Math.Max(need, 256));
                }
                try
                {
                    reader.CopyString(scratch);
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return true;
        }
        finally
        {
            if (scratch is not null) ArrayPool<char>.Shared.Return(scratch);
        }
    }

    /// <summary>The same check on a parsed element (management bodies are small: every string is read once).</summary>
    public static bool StringsDecode(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                        if (!Walk(item)) return false;
                    return true;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        if (!Walk(p.Value)) return false;
                    }
                    return true;
                default:
                    return true;
            }
        }
    }
}
