using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert.Shared;

/// <summary>Tolerant accessors over <see cref="JsonNode"/>: a wrong-typed field reads as absent instead of throwing.</summary>
internal static class J
{
    /// <summary>Non-ASCII text stays UTF-8 in what we emit (the providers do the same); JSON-significant characters are still escaped.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonNode? Get(JsonObject? o, string key) =>
        o is not null && o.TryGetPropertyValue(key, out var v) ? v : null;

    /// <summary>Gemini accepts both protobuf JSON spellings (<c>inlineData</c> and <c>inline_data</c>).</summary>
    public static JsonNode? Get(JsonObject? o, string camel, string snake) => Get(o, camel) ?? Get(o, snake);

    public static JsonObject? Obj(JsonObject? o, string key) => Get(o, key) as JsonObject;
    public static JsonObject? Obj(JsonObject? o, string camel, string snake) => Get(o, camel, snake) as JsonObject;
    public static JsonArray? Arr(JsonObject? o, string key) => Get(o, key) as JsonArray;
    public static JsonArray? Arr(JsonObject? o, string camel, string snake) => Get(o, camel, snake) as JsonArray;

    public static string? Str(JsonObject? o, string key) => AsString(Get(o, key));
    public static string? Str(JsonObject? o, string camel, string snake) => AsString(Get(o, camel, snake));

    public static string? AsString(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? Long(JsonObject? o, string key) => AsLong(Get(o, key));
    public static long? Long(JsonObject? o, string camel, string snake) => AsLong(Get(o, camel, snake));

    public static long? AsLong(JsonNode? n)
    {
        if (n is not JsonValue v) return null;
        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                // Parsed nodes convert freely; nodes built in memory only to their own CLR type.
                if (v.TryGetValue<long>(out var l)) return l;
                if (v.TryGetValue<int>(out var i)) return i;
                return AsDouble(v) is { } d && !double.IsNaN(d) ? (long)d : null;
            case JsonValueKind.String:
                return long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;
            default:
                return null;
        }
    }

    public static int? Int(JsonObject? o, string key) => ToInt(Long(o, key));
    public static int? Int(JsonObject? o, string camel, string snake) => ToInt(Long(o, camel, snake));

    private static int? ToInt(long? l) => l is null ? null : (int)Math.Clamp(l.Value, int.MinValue, int.MaxValue);

    public static double? Dbl(JsonObject? o, string key) => AsDouble(Get(o, key));
    public static double? Dbl(JsonObject? o, string camel, string snake) => AsDouble(Get(o, camel, snake));

    public static double? AsDouble(JsonNode? n)
    {
        if (n is not JsonValue v) return null;
        return v.GetValueKind() switch
        {
            JsonValueKind.Number when v.TryGetValue<double>(out var d) => d,
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number when v.TryGetValue<int>(out var i) => i,
            JsonValueKind.Number when v.TryGetValue<float>(out var f) => f,
            JsonValueKind.Number when v.TryGetValue<decimal>(out var m) => (double)m,
            JsonValueKind.String when double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => s,
            _ => null,
        };
    }

    public static bool? Bool(JsonObject? o, string key) => AsBool(Get(o, key));
    public static bool? Bool(JsonObject? o, string camel, string snake) => AsBool(Get(o, camel, snake));

    public static bool? AsBool(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }
        : null;

    public static JsonNode? Clone(JsonNode? n) => n?.DeepClone();

    /// <summary>Compact JSON text of a node, UTF-8 kept readable.</summary>
    public static string ToJson(JsonNode? n)
    {
        if (n is null) return "null";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions)) n.WriteTo(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses JSON text; null when it is not valid JSON.</summary>
    public static JsonNode? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static JsonObject? TryParseObject(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonNode.Parse(utf8) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static JsonArray? TryParseArray(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonNode.Parse(utf8) as JsonArray;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Strings of a value that may be a single string or an array of strings (OpenAI <c>stop</c>).</summary>
    public static IEnumerable<string> Strings(JsonNode? n)
    {
        if (AsString(n) is { } single)
        {
            yield return single;
            yield break;
        }
        if (n is not JsonArray a) yield break;
        foreach (var item in a)
            if (AsString(item) is { } s) yield return s;
    }

    public static void SetIf(JsonObject o, string key, string? value)
    {
        if (value is not null) o[key] = value;
    }

    public static void SetIf(JsonObject o, string key, double? value)
    {
        if (value is not null) o[key] = value.Value;
    }

    public static void SetIf(JsonObject o, string key, long? value)
    {
        if (value is not null) o[key] = value.Value;
    }

    public static void SetIf(JsonObject o, string key, int? value)
    {
        if (value is not null) o[key] = value.Value;
    }

    public static void SetIf(JsonObject o, string key, bool? value)
    {
        if (value is not null) o[key] = value.Value;
    }

    public static JsonArray StringArray(IEnumerable<string> values)
    {
        var a = new JsonArray();
        foreach (var v in values) a.Add((JsonNode)v);
        return a;
    }
}
