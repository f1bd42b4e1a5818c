using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Upstream;

/// <summary>
/// param_override (relay.md §2.11) on the final upstream body. Legacy form: every top-level key is set. Operations
/// form (<c>{"operations":[…]}</c>, other keys applied legacy-style first): set, delete, move, copy, prepend, append,
/// trim_prefix, trim_suffix, ensure_prefix, ensure_suffix, trim_space, to_lower, to_upper, replace, regex_replace and
/// return_error, each guarded by optional conditions (full, prefix, suffix, contains, gt, gte, lt, lte; invert,
/// pass_missing_key; logic OR/AND). Paths are dotted with numeric indexes (negative from the end).
/// </summary>
public static class ParamOverride
{
    public static RelayError? Apply(JsonObject body, JsonObject? spec, bool invalid, string model)
    {
        if (invalid) return Invalid("param override is not a JSON object");
        if (spec is null) return null;
        foreach (var (key, value) in spec)
            if (key != "operations") body[key] = value?.DeepClone();
        if (spec["operations"] is not JsonArray ops) return null;
        foreach (var node in ops)
        {
            if (node is not JsonObject op) return Invalid("operation is not an object");
            if (!Matches(body, op, model)) continue;
            if (Run(body, op) is { } error) return error;
        }
        return null;
    }

    private static RelayError? Run(JsonObject body, JsonObject op)
    {
        var mode = Str(op, "mode") ?? "set";
        var path = Str(op, "path") ?? "";
        var value = op["value"];
        switch (mode)
        {
            case "set":
                if (op["keep_origin"]?.GetValueKind() == JsonValueKind.True && Get(body, path) is not null) return null;
                return Set(body, path, value?.DeepClone()) ? null : Invalid($"cannot set {path}");
            case "delete":
                Remove(body, path);
                return null;
            case "copy" or "move":
                var from = Str(op, "from") ?? path;
                var to = Str(op, "to") ?? "";
                var source = Get(body, from)?.DeepClone();
                if (source is null) return null;
                if (mode == "move") Remove(body, from);
                return Set(body, to, source) ? null : Invalid($"cannot set {to}");
            case "prepend" or "append":
                return Concat(body, path, value, mode == "prepend");
            case "return_error":
                return ReturnError(value);
            default:
                return Transform(body, path, mode, op);
        }
    }

    private static RelayError? Transform(JsonObject body, string path, string mode, JsonObject op)
    {
        if (Get(body, path) is not JsonValue v || !v.TryGetValue<string>(out var s)) return null;
        var arg = Str(op, "value") ?? "";
        string? result = mode switch
        {
            "trim_prefix" => s.StartsWith(arg, StringComparison.Ordinal) ? s[arg.Length..] : s,
            "trim_suffix" => s.EndsWith(arg, StringComparison.Ordinal) ? s[..^arg.Length] : s,
            "ensure_prefix" => s.StartsWith(arg, StringComparison.Ordinal) ? s : arg + s,
            "ensure_suffix" => s.EndsWith(arg, StringComparison.Ordinal) ? s : s + arg,
            "trim_space" => s.Trim(),
            "to_lower" => s.ToLowerInvariant(),
            "to_upper" => s.ToUpperInvariant(),
            "replace" => s.Replace(Str(op, "from") ?? "", Str(op, "to") ?? "", StringComparison.Ordinal),
            "regex_replace" => Regex.Replace(s, Str(op, "from") ?? "", Str(op, "to") ?? "", RegexOptions.None, TimeSpan.FromMilliseconds(100)),
            _ => null,
        };
        if (result is null) return Invalid($"unknown mode {mode}");
        Set(body, path, JsonValue.Create(result));
        return null;
    }

    private static RelayError? Concat(JsonObject body, string path, JsonNode? value, bool prepend)
    {
        switch (Get(body, path))
        {
            case JsonArray array:
                var items = value is JsonArray many ? many.Select(n => n?.DeepClone()).ToList() : [value?.DeepClone()];
                for (var i = 0; i < items.Count; i++)
                    if (prepend) array.Insert(i, items[i]); else array.Add(items[i]);
                return null;
            case JsonValue v when v.TryGetValue<string>(out var s):
                var add = value is JsonValue a && a.TryGetValue<string>(out var t) ? t : value?.ToJsonString() ?? "";
                Set(body, path, JsonValue.Create(prepend ? add + s : s + add));
                return null;
            case null:
                return Set(body, path, value?.DeepClone()) ? null : Invalid($"cannot set {path}");
            default:
                return Invalid($"{path} is neither a string nor an array");
        }
    }

    private static RelayError ReturnError(JsonNode? value)
    {
        var o = value as JsonObject;
        var status = o?["status_code"] is JsonValue sv && sv.TryGetValue<int>(out var st) ? st : 400;
        return new RelayError
        {
            Status = status, Message = Str(o, "message") ?? "request rejected by channel rule", Code = Str(o, "code") ?? ErrorCodes.InvalidRequest,
            Type = Str(o, "type") ?? ErrorTypes.InvalidRequest, SkipRetry = o?["skip_retry"]?.GetValueKind() != JsonValueKind.False,
        };
    }

    private static bool Matches(JsonObject body, JsonObject op, string model)
    {
        if (op["conditions"] is not JsonArray conditions || conditions.Count == 0) return true;
        var and = string.Equals(Str(op, "logic"), "AND", StringComparison.OrdinalIgnoreCase);
        foreach (var node in conditions)
        {
            var ok = node is JsonObject c && Condition(body, c, model);
            if (and && !ok) return false;
            if (!and && ok) return true;
        }
        return and;
    }

    private static bool Condition(JsonObject body, JsonObject c, string model)
    {
        var path = Str(c, "path") ?? "";
        var actual = path is "model" or "original_model" ? JsonValue.Create(model) : Get(body, path);
        bool result;
        if (actual is null) result = c["pass_missing_key"]?.GetValueKind() == JsonValueKind.True;
        else
        {
            var have = actual is JsonValue av && av.TryGetValue<string>(out var s) ? s : actual.ToJsonString();
            var want = c["value"] is JsonValue wv && wv.TryGetValue<string>(out var w) ? w : c["value"]?.ToJsonString() ?? "";
            result = (Str(c, "mode") ?? "full") switch
            {
                "prefix" => have.StartsWith(want, StringComparison.Ordinal),
                "suffix" => have.EndsWith(want, StringComparison.Ordinal),
                "contains" => have.Contains(want, StringComparison.Ordinal),
                "gt" => Num(have) > Num(want),
                "gte" => Num(have) >= Num(want),
                "lt" => Num(have) < Num(want),
                "lte" => Num(have) <= Num(want),
                _ => have == want,
            };
        }
        return c["invert"]?.GetValueKind() == JsonValueKind.True ? !result : result;
    }

    private static double Num(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;

    private static string? Str(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonNode? Get(JsonNode? node, string path)
    {
        if (path.Length == 0) return null;
        foreach (var part in path.Split('.'))
        {
            node = node switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) => Index(a, i) is var j and >= 0 ? a[j] : null,
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    private static int Index(JsonArray a, int i) => i < 0 ? (a.Count + i is var j && j >= 0 ? j : -1) : i < a.Count ? i : -1;

    private static bool Set(JsonObject body, string path, JsonNode? value)
    {
        if (path.Length == 0) return false;
        var parts = path.Split('.');
        JsonNode node = body;
        for (var p = 0; p < parts.Length - 1; p++)
        {
            var next = node switch
            {
                JsonObject o => o[parts[p]] ?? (o[parts[p]] = new JsonObject()),
                JsonArray a when int.TryParse(parts[p], out var i) && Index(a, i) >= 0 => a[Index(a, i)],
                _ => null,
            };
            if (next is null) return false;
            node = next;
        }
        var last = parts[^1];
        switch (node)
        {
            case JsonObject obj:
                obj[last] = value;
                return true;
            case JsonArray arr when int.TryParse(last, out var i) && Index(arr, i) >= 0:
                arr[Index(arr, i)] = value;
                return true;
            default:
                return false;
        }
    }

    private static void Remove(JsonObject body, string path)
    {
        var dot = path.LastIndexOf('.');
        var parent = dot < 0 ? body : Get(body, path[..dot]);
        var last = path[(dot + 1)..];
        if (parent is JsonObject o) o.Remove(last);
        else if (parent is JsonArray a && int.TryParse(last, out var i) && Index(a, i) >= 0) a.RemoveAt(Index(a, i));
    }

    private static RelayError Invalid(string why) =>
        RelayError.Local(500, "channel param override is invalid: " + why, ErrorCodes.ChannelParamOverrideInvalid, skipRetry: false);
}
