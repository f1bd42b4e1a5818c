using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Admin.Channels;

/// <summary>Price of a test call, computed for the consume log but never charged (New API's "quota computed but not charged").</summary>
internal sealed record TestPrice(long Quota, double ModelRatio, double CompletionRatio, double GroupRatio, double ModelPrice);

internal static class TestQuota
{
    /// <summary>
    /// ModelPrice (USD per call) wins over ModelRatio; both come from the admin-editable ratio options. A model with no
    /// configured price is logged with quota 0 rather than failing the test.
    /// </summary>
    public static TestPrice Compute(OptionsSnapshot options, string model, string group, long prompt, long completion)
    {
        var groupRatio = Lookup(options.Get("GroupRatio"), group) ?? 1;
        if (Lookup(options.Get("ModelPrice"), model) is { } price)
            return new TestPrice((long)Math.Round(price * options.QuotaPerUnit * groupRatio), 0, 0, groupRatio, price);
        var modelRatio = Lookup(options.Get("ModelRatio"), model) ?? 0;
        var completionRatio = Lookup(options.Get("CompletionRatio"), model) ?? 1;
        var quota = (long)Math.Round((prompt + completion * completionRatio) * modelRatio * groupRatio);
        if (modelRatio > 0 && quota <= 0) quota = 1;
        return new TestPrice(quota, modelRatio, completionRatio, groupRatio, -1);
    }

    private static double? Lookup(string json, string key)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(key, out var v)
                   && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
