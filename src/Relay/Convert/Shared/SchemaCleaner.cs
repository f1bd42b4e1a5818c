using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert.Shared;

/// <summary>
/// JSON Schema ⇄ Gemini's OpenAPI schema subset. Gemini rejects keywords outside its subset (<c>additionalProperties</c>,
/// <c>$schema</c>, <c>$ref</c>…), so schemas going to Gemini are cleaned and local <c>$ref</c>s inlined; schemas coming
/// from Gemini get lower-case types and <c>nullable</c> folded into the type.
/// </summary>
internal static class SchemaCleaner
{
    private const int MaxDepth = 24;

    private static readonly HashSet<string> GeminiKeys =
    [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    ];

    /// <summary>A cleaned deep copy for Gemini; null when nothing meaningful is left (no properties at the root).</summary>
    public static JsonObject? ForGemini(JsonObject? schema, bool dropEmptyObject)
    {
        if (schema is null) return null;
        var defs = J.Obj(schema, "$defs") ?? J.Obj(schema, "definitions");
        var cleaned = Clean(schema, defs, 0) as JsonObject;
        if (cleaned is null) return null;
        if (dropEmptyObject && J.Obj(cleaned, "properties") is not { Count: > 0 } && J.Get(cleaned, "anyOf") is null) return null;
        return cleaned;
    }

    private static JsonNode? Clean(JsonNode? node, JsonObject? defs, int depth)
    {
        if (node is not JsonObject o || depth > MaxDepth) return J.Clone(node);
        if (J.Str(o, "$ref") is { } reference && Resolve(reference, defs) is { } target) return Clean(target, defs, depth + 1);
        var result = new JsonObject();
        foreach (var (key, value) in o)
        {
            switch (key)
            {
                case "type" when value is JsonArray types:
                    var named = types.Select(J.AsString).Where(t => t is not null && t != "null").ToList();
                    if (named.Count > 0) result["type"] = named[0];
                    if (named.Count < types.Count) result["nullable"] = true;
                    break;
                case "const":
                    result["enum"] = new JsonArray(J.Clone(value));
                    break;
                case "oneOf" or "anyOf" when value is JsonArray alts:
                    result["anyOf"] = CleanArray(alts, defs, depth);
                    break;
                case "properties" when value is JsonObject props:
                    var cleanedProps = new JsonObject();
                    foreach (var (name, sub) in props) cleanedProps[name] = Clean(sub, defs, depth + 1);
                    result["properties"] = cleanedProps;
                    break;
                case "items":
                    result["items"] = value is JsonArray tuple && tuple.Count > 0 ? Clean(tuple[0], defs, depth + 1) : Clean(value, defs, depth + 1);
                    break;
                case "format":
                    // Gemini accepts only enum/date-time on strings; numeric formats (int32, double…) are fine.
                    var format = J.AsString(value);
                    var type = J.Str(o, "type");
                    if (format is not null && (type != "string" || format is "enum" or "date-time")) result["format"] = format;
                    break;
                default:
                    if (GeminiKeys.Contains(key)) result[key] = J.Clone(value);
                    break;
            }
        }
        if (result["enum"] is not null && result["type"] is null) result["type"] = "string";
        return result;
    }

    private static JsonArray CleanArray(JsonArray items, JsonObject? defs, int depth)
    {
        var a = new JsonArray();
        foreach (var item in items) a.Add(Clean(item, defs, depth + 1));
        return a;
    }

    private static JsonNode? Resolve(string reference, JsonObject? defs)
    {
        if (defs is null) return null;
        foreach (var prefix in (string[])["#/$defs/", "#/definitions/"])
            if (reference.StartsWith(prefix, StringComparison.Ordinal)) return J.Get(defs, reference[prefix.Length..]);
        return null;
    }

    /// <summary>A JSON Schema deep copy of a Gemini schema: lower-case types, <c>nullable</c> folded into <c>type</c>.</summary>
    public static JsonObject? FromGemini(JsonObject? schema) => schema is null ? null : FromGeminiNode(schema, 0) as JsonObject;

    private static JsonNode? FromGeminiNode(JsonNode? node, int depth)
    {
        if (depth > MaxDepth) return J.Clone(node);
        if (node is JsonArray arr)
        {
            var copy = new JsonArray();
            foreach (var item in arr) copy.Add(FromGeminiNode(item, depth + 1));
            return copy;
        }
        if (node is not JsonObject o) return J.Clone(node);
        var result = new JsonObject();
        var nullable = J.Bool(o, "nullable") == true;
        foreach (var (key, value) in o)
        {
            if (key is "nullable" or "propertyOrdering") continue;
            if (key == "type" && J.AsString(value) is { } t)
            {
                var lower = t.ToLowerInvariant();
                result["type"] = nullable ? new JsonArray((JsonNode)lower, (JsonNode)"null") : lower;
                continue;
            }
            if (key == "properties" && value is JsonObject props)
            {
                var p = new JsonObject();
                foreach (var (name, sub) in props) p[name] = FromGeminiNode(sub, depth + 1);
                result["properties"] = p;
                continue;
            }
            result[key] = key is "items" or "anyOf" ? FromGeminiNode(value, depth + 1) : J.Clone(value);
        }
        return result;
    }

    /// <summary>Claude requires an object schema at the root of <c>input_schema</c>.</summary>
    public static JsonObject ObjectSchema(JsonObject? schema)
    {
        var copy = J.Clone(schema) as JsonObject ?? new JsonObject();
        if (copy["type"] is null) copy["type"] = "object";
        if (J.Str(copy, "type") == "object" && copy["properties"] is null) copy["properties"] = new JsonObject();
        return copy;
    }
}
