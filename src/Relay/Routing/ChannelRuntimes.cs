using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Auth;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Routing;

/// <summary>The <see cref="ChannelRuntime"/> of a snapshot row, built on first use and dropped with the row.</summary>
public sealed class ChannelRuntimes(SecretBox box)
{
    private readonly ConditionalWeakTable<ChannelRow, ChannelRuntime> _table = new();

    public ChannelRuntime For(ChannelRow row) => _table.GetValue(row, Build);

    private ChannelRuntime Build(ChannelRow row)
    {
        var info = ChannelRuntime.ParseObject(row.ChannelInfo, out _);
        var multi = info?["is_multi_key"]?.GetValueKind() == JsonValueKind.True;
        var setting = ChannelRuntime.ParseObject(row.Setting, out _);
        var settings = ChannelRuntime.ParseObject(row.Settings, out _);
        var mapping = ChannelRuntime.ParseStringMap(row.ModelMapping, out var mappingInvalid);
        var headers = ChannelRuntime.ParseObject(row.HeaderOverride, out var headersInvalid);
        var parameters = ChannelRuntime.ParseObject(row.ParamOverride, out var paramsInvalid);
        return new ChannelRuntime
        {
            Keys = SplitKeys(row.KeyEnc.Length == 0 ? "" : box.Decrypt(row.KeyEnc), multi),
            MultiKey = multi,
            Polling = info?["multi_key_mode"]?.ToString() == "polling",
            DisabledKeys = DisabledIndexes(info?["multi_key_status_list"] as JsonObject),
            ModelMapping = mapping, ModelMappingInvalid = mappingInvalid,
            StatusCodeMapping = ChannelRuntime.ParseStatusMapping(row.StatusCodeMapping),
            HeaderOverride = headers, HeaderOverrideInvalid = headersInvalid,
            ParamOverride = parameters, ParamOverrideInvalid = paramsInvalid,
            Proxy = Str(setting, "proxy"),
            SystemPrompt = Str(setting, "system_prompt"),
            SystemPromptOverride = Flag(setting, "system_prompt_override"),
            PassThroughBody = Flag(setting, "pass_through_body_enabled"),
            AllowServiceTier = Flag(settings, "allow_service_tier"),
            AllowSafetyIdentifier = Flag(settings, "allow_safety_identifier"),
            AllowIncludeObfuscation = Flag(settings, "allow_include_obfuscation"),
            DisableStore = Flag(settings, "disable_store"),
        };
    }

    /// <summary>Multi-key channels hold keys one per line, or a JSON array (service-account JSONs); others hold one key.</summary>
    public static IReadOnlyList<string> SplitKeys(string key, bool multi)
    {
        key = key.Trim();
        if (key.Length == 0) return [];
        if (!multi) return [key];
        if (key.StartsWith('['))
        {
            try
            {
                if (JsonNode.Parse(key) is JsonArray array)
                    return array.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : n?.ToJsonString() ?? "")
                        .Where(k => k.Length > 0).ToList();
            }
            catch (JsonException)
            {
                // Not an array after all: one key per line below.
            }
        }
        return key.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static System.Collections.Frozen.FrozenSet<int> DisabledIndexes(JsonObject? list)
    {
        if (list is null) return System.Collections.Frozen.FrozenSet<int>.Empty;
        var set = new HashSet<int>();
        foreach (var (k, v) in list)
            if (int.TryParse(k, out var i) && v is JsonValue value && value.TryGetValue<int>(out var status) && status != 1) set.Add(i);
        return System.Collections.Frozen.FrozenSet.ToFrozenSet(set);
    }

    private static string? Str(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static bool Flag(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
