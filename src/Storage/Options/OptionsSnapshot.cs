using System.Collections.Frozen;
using System.Globalization;

namespace NewApi.Storage.Options;

/// <summary>Immutable view of every option (defaults overlaid with stored values). Swapped whole on each write.</summary>
public sealed class OptionsSnapshot(FrozenDictionary<string, string> values, long version)
{
    public long Version { get; } = version;
    public FrozenDictionary<string, string> Values { get; } = values;

    public string Get(string key, string fallback = "") => Values.TryGetValue(key, out var v) ? v : fallback;

    /// <summary>new-api: any string other than "true" is false for boolean options.</summary>
    public bool GetBool(string key) => Values.TryGetValue(key, out var v) && v == "true";

    public long GetLong(string key, long fallback = 0) =>
        Values.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l
        : Values.TryGetValue(key, out v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (long)d
        : fallback;

    public double GetDouble(string key, double fallback = 0) =>
        Values.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;

    public double QuotaPerUnit => GetDouble("QuotaPerUnit", 500000);
}
