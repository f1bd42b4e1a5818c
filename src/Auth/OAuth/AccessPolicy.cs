using System.Text.Json;

namespace NewApi.Auth.OAuth;

/// <summary>
/// New API's access_policy for custom providers: <c>{logic: and|or, conditions:[{field, op, value}], groups:[…]}</c>
/// over the user-info JSON. A policy that cannot be read denies (fail closed).
/// </summary>
public static class AccessPolicy
{
    public static bool Allows(string json, JsonElement user)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Evaluate(doc.RootElement, user, 0);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Evaluate(JsonElement policy, JsonElement user, int depth)
    {
        if (policy.ValueKind != JsonValueKind.Object || depth > 8) return false;
        var or = policy.TryGetProperty("logic"u8, out var l) && l.ValueKind == JsonValueKind.String && l.GetString()!.Trim().Equals("or", StringComparison.OrdinalIgnoreCase);
        var results = new List<bool>();
        if (policy.TryGetProperty("conditions"u8, out var cs) && cs.ValueKind == JsonValueKind.Array)
            foreach (var c in cs.EnumerateArray()) results.Add(Condition(c, user));
        if (policy.TryGetProperty("groups"u8, out var gs) && gs.ValueKind == JsonValueKind.Array)
            foreach (var g in gs.EnumerateArray()) results.Add(Evaluate(g, user, depth + 1));
        if (results.Count == 0) return false;
        return or ? results.Contains(true) : !results.Contains(false);
    }

    private static bool Condition(JsonElement c, JsonElement user)
    {
        if (c.ValueKind != JsonValueKind.Object || !c.TryGetProperty("field"u8, out var f) || f.ValueKind != JsonValueKind.String) return false;
        var op = c.TryGetProperty("op"u8, out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()!.Trim().ToLowerInvariant() : "";
        var exists = Lookup(user, f.GetString()!, out var current);
        c.TryGetProperty("value"u8, out var expected);
        return op switch
        {
            "exists" => exists,
            "not_exists" => !exists,
            "eq" => exists && Compare(current, expected) == 0,
            "ne" => !exists || Compare(current, expected) != 0,
            "gt" => exists && Compare(current, expected) > 0,
            "gte" => exists && Compare(current, expected) >= 0,
            "lt" => exists && Compare(current, expected) < 0,
            "lte" => exists && Compare(current, expected) <= 0,
            "in" => exists && expected.ValueKind == JsonValueKind.Array && expected.EnumerateArray().Any(e => Compare(current, e) == 0),
            "not_in" => expected.ValueKind == JsonValueKind.Array && !(exists && expected.EnumerateArray().Any(e => Compare(current, e) == 0)),
            "contains" => exists && Contains(current, expected),
            "not_contains" => !exists || !Contains(current, expected),
            _ => false,
        };
    }

    private static bool Lookup(JsonElement obj, string path, out JsonElement value)
    {
        value = obj;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value)) return false;
        return value.ValueKind != JsonValueKind.Null;
    }

    private static int Compare(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number) return a.GetDouble().CompareTo(b.GetDouble());
        return string.CompareOrdinal(Text(a), Text(b));
    }

    private static bool Contains(JsonElement current, JsonElement expected) =>
        current.ValueKind == JsonValueKind.Array
            ? current.EnumerateArray().Any(e => Compare(e, expected) == 0)
            : Text(current).Contains(Text(expected), StringComparison.Ordinal);

    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Undefined => "",
        _ => e.GetRawText(),
    };
}
