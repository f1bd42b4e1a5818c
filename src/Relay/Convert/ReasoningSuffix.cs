using System.Globalization;

namespace NewApi.Relay.Convert;

/// <summary>
/// Model-name reasoning suffixes New API understands (relay.md §4.2, §4.6, §4.10): <c>-thinking</c>,
/// <c>-thinking-&lt;budget&gt;</c>, <c>-nothinking</c> and the effort suffixes <c>-none|-minimal|-low|-medium|-high|-xhigh|-max</c>.
/// The pipeline applies this only when the suffixed name is not itself a configured model.
/// </summary>
public static class ReasoningSuffix
{
    private static readonly string[] Efforts = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];

    /// <summary>Returns the model name without its suffix, and the reasoning the suffix asks for (null when there is none).</summary>
    public static string Strip(string model, out ReasoningOverride? reasoning)
    {
        reasoning = null;
        if (model.EndsWith("-nothinking", StringComparison.OrdinalIgnoreCase))
        {
            reasoning = new ReasoningOverride(Enabled: false);
            return model[..^"-nothinking".Length];
        }
        if (model.EndsWith("-thinking", StringComparison.OrdinalIgnoreCase))
        {
            reasoning = new ReasoningOverride(Enabled: true);
            return model[..^"-thinking".Length];
        }
        var idx = model.LastIndexOf("-thinking-", StringComparison.OrdinalIgnoreCase);
        if (idx > 0 && int.TryParse(model.AsSpan(idx + "-thinking-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var budget))
        {
            reasoning = new ReasoningOverride(Enabled: budget > 0, BudgetTokens: budget);
            return model[..idx];
        }
        foreach (var effort in Efforts)
        {
            if (!model.EndsWith("-" + effort, StringComparison.OrdinalIgnoreCase) || model.Length <= effort.Length + 1) continue;
            reasoning = effort == "none" ? new ReasoningOverride(Enabled: false, Effort: "none") : new ReasoningOverride(Enabled: true, Effort: effort);
            return model[..^(effort.Length + 1)];
        }
        return model;
    }
}
