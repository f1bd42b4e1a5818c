using System.Collections.Frozen;
using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Billing.Prices;

/// <summary>
/// Immutable snapshot of every price table. A table whose option key is stored replaces the built-in one whole
/// (New API's behaviour); an absent key means the built-in defaults. Lookups allocate nothing.
/// </summary>
public sealed class PriceTables
{
    public const string CompactSuffix = "-openai-compact";
    private const string CompactWildcard = "*-openai-compact";

    public required FrozenDictionary<string, double> ModelRatio { get; init; }
    public required FrozenDictionary<string, double> ModelPrice { get; init; }
    public required FrozenDictionary<string, double> CompletionRatio { get; init; }
    public required FrozenDictionary<string, double> CacheRatio { get; init; }
    public required FrozenDictionary<string, double> CreateCacheRatio { get; init; }
    public required FrozenDictionary<string, double> ImageRatio { get; init; }
    public required FrozenDictionary<string, double> AudioRatio { get; init; }
    public required FrozenDictionary<string, double> AudioCompletionRatio { get; init; }
    public required FrozenDictionary<string, double> GroupRatio { get; init; }
    public required FrozenDictionary<string, FrozenDictionary<string, double>> GroupGroupRatio { get; init; }
    public bool SelfUseMode { get; init; }
    public double QuotaPerUnit { get; init; } = 500_000;
    public long PreConsumedQuota { get; init; } = 500;
    public bool FreeModelPreConsume { get; init; } = true;

    public static PriceTables From(OptionsSnapshot o) => new()
    {
        ModelRatio = Table(o, "ModelRatio", PriceDefaults.ModelRatio),
        ModelPrice = Table(o, "ModelPrice", PriceDefaults.ModelPrice),
        CompletionRatio = Table(o, "CompletionRatio", PriceDefaults.CompletionRatio),
        CacheRatio = Table(o, "CacheRatio", PriceDefaults.CacheRatio),
        CreateCacheRatio = Table(o, "CreateCacheRatio", PriceDefaults.CreateCacheRatio),
        ImageRatio = Table(o, "ImageRatio", PriceDefaults.ImageRatio),
        AudioRatio = Table(o, "AudioRatio", PriceDefaults.AudioRatio),
        AudioCompletionRatio = Table(o, "AudioCompletionRatio", PriceDefaults.AudioCompletionRatio),
        GroupRatio = ParseMap(o.Get("GroupRatio")) ?? FrozenDictionary<string, double>.Empty,
        GroupGroupRatio = ParseNested(o.Get("GroupGroupRatio")),
        SelfUseMode = o.GetBool("SelfUseModeEnabled"),
        QuotaPerUnit = o.QuotaPerUnit,
        PreConsumedQuota = o.GetLong("PreConsumedQuota", 500),
        FreeModelPreConsume = o.Get("quota_setting.enable_free_model_pre_consume", "true") == "true",
    };

    /// <summary>Resolves price, ratios and multipliers for a client model name.</summary>
    public ModelPricing Lookup(string model)
    {
        var name = ModelNames.Normalise(model);
        var compact = name.EndsWith(CompactSuffix, StringComparison.Ordinal);
        var usePrice = ModelPrice.TryGetValue(name, out var price) || (compact && ModelPrice.TryGetValue(CompactWildcard, out price));
        var hasRatio = ModelRatio.TryGetValue(name, out var ratio) || (compact && ModelRatio.TryGetValue(CompactWildcard, out ratio));
        if (!hasRatio) ratio = PriceDefaults.UnsetModelRatio;
        var hasAudio = AudioRatio.TryGetValue(name, out var audio);
        return new ModelPricing
        {
            Model = model,
            UsePrice = usePrice,
            ModelPrice = usePrice ? price : -1,
            ModelRatio = ratio,
            Configured = usePrice || hasRatio || SelfUseMode,
            CompletionRatio = Completion(name),
            CacheRatio = CacheRatio.TryGetValue(name, out var cr) ? cr : PriceDefaults.MissingCacheRatio,
            CreateCacheRatio = CreateCacheRatio.TryGetValue(name, out var cw) ? cw : PriceDefaults.MissingCreateCacheRatio,
            ImageRatio = ImageRatio.TryGetValue(name, out var ir) ? ir : 1,
            AudioRatio = hasAudio ? audio : 1,
            HasAudioRatio = hasAudio,
            AudioCompletionRatio = AudioCompletionRatio.TryGetValue(name, out var acr) ? acr : 1,
        };
    }

    /// <summary>Group ratio for a request made by a user of <paramref name="userGroup"/> in <paramref name="usingGroup"/>.</summary>
    public GroupPricing Group(string userGroup, string usingGroup)
    {
        if (GroupGroupRatio.TryGetValue(userGroup, out var inner) && inner.TryGetValue(usingGroup, out var special))
            return new GroupPricing(special, special);
        return new GroupPricing(GroupRatio.TryGetValue(usingGroup, out var r) ? r : 1, -1);
    }

    public bool GroupExists(string group) => GroupRatio.ContainsKey(group);

    private double Completion(string name)
    {
        if (name.Contains('/') && CompletionRatio.TryGetValue(name, out var table)) return table;
        var (rule, locked) = CompletionRatioRules.For(name);
        if (locked) return rule;
        return CompletionRatio.TryGetValue(name, out var value) ? value : rule;
    }

    private static FrozenDictionary<string, double> Table(OptionsSnapshot o, string key, FrozenDictionary<string, double> fallback) =>
        o.Values.TryGetValue(key, out var json) && ParseMap(json) is { } parsed ? parsed : fallback;

    /// <summary>A JSON object of numbers; null when the text is not one (a bad stored value falls back to the defaults).</summary>
    public static FrozenDictionary<string, double>? ParseMap(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? ReadNumbers(doc.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static FrozenDictionary<string, FrozenDictionary<string, double>> ParseNested(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return FrozenDictionary<string, FrozenDictionary<string, double>>.Empty;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return FrozenDictionary<string, FrozenDictionary<string, double>>.Empty;
            var result = new Dictionary<string, FrozenDictionary<string, double>>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Object) result[p.Name] = ReadNumbers(p.Value);
            return result.ToFrozenDictionary(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return FrozenDictionary<string, FrozenDictionary<string, double>>.Empty;
        }
    }

    private static FrozenDictionary<string, double> ReadNumbers(JsonElement obj)
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Number) map[p.Name] = p.Value.GetDouble();
            else if (p.Value.ValueKind == JsonValueKind.String && double.TryParse(p.Value.GetString(),
                         System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)) map[p.Name] = d;
        }
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
