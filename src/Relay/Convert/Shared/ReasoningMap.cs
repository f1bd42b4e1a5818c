using NewApi.Relay.Convert.Model;

namespace NewApi.Relay.Convert.Shared;

/// <summary>Effort ⇄ budget tables between the reasoning knobs of the four dialects (relay.md §4.2, §4.10).</summary>
internal static class ReasoningMap
{
    public const int ClaudeMinBudget = 1024;

    /// <summary>New API's Claude budgets: low 1280, medium 2048, high 4096.</summary>
    public static int ClaudeBudget(string? effort) => effort?.ToLowerInvariant() switch
    {
        "minimal" => 1024,
        "low" => 1280,
        "high" => 4096,
        "xhigh" => 16384,
        "max" => 32000,
        _ => 2048,
    };

    /// <summary>Google's published OpenAI-compatibility mapping: low 1024, medium 8192, high 24576.</summary>
    public static int GeminiBudget(string? effort) => effort?.ToLowerInvariant() switch
    {
        "minimal" => 512,
        "low" => 1024,
        "high" => 24576,
        "xhigh" or "max" => 32768,
        _ => 8192,
    };

    /// <summary>Gemini 3 takes <c>thinkingLevel</c> (low / high) instead of a budget.</summary>
    public static string GeminiLevel(string? effort, int? budget)
    {
        if (effort is not null) return effort.ToLowerInvariant() is "minimal" or "low" ? "low" : "high";
        return budget is < 8192 ? "low" : "high";
    }

    /// <summary>Budget → effort: Claude Code's 4 000 / 10 000 / 31 999 budgets land on low / medium / high.</summary>
    public static string Effort(int budget) => budget switch
    {
        < 4096 => "low",
        < 16384 => "medium",
        _ => "high",
    };

    /// <summary>Effort the target should get, or null when reasoning is unspecified or off.</summary>
    public static string? EffortOf(ConvReasoning? r)
    {
        if (r is null || r.Enabled == false) return null;
        if (r.Effort is { } e && e != "none") return e;
        if (r.BudgetTokens is > 0 and var b) return Effort(b);
        return r.Enabled == true ? "medium" : null;
    }

    /// <summary>Applies a model-suffix override on top of what the body asked for.</summary>
    public static void Apply(ConvRequest req, ReasoningOverride? o)
    {
        if (o is null) return;
        var r = req.Reasoning ??= new ConvReasoning();
        r.Enabled = o.Enabled ?? r.Enabled;
        if (o.Effort is not null) r.Effort = o.Effort;
        if (o.BudgetTokens is not null) r.BudgetTokens = o.BudgetTokens;
        if (o.Enabled == false) { r.Effort = null; r.BudgetTokens = null; }
        r.OpenAiNative = true;
    }

    /// <summary>Models that take OpenAI's reasoning parameters (and reject temperature / top_p): o1, o3, o4-mini, gpt-5…</summary>
    public static bool IsOpenAiReasoningModel(string? model)
    {
        if (string.IsNullOrEmpty(model)) return false;
        var m = model.Contains('/') ? model[(model.LastIndexOf('/') + 1)..] : model;
        return m.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase)
               || (m.Length > 1 && (m[0] == 'o' || m[0] == 'O') && char.IsAsciiDigit(m[1]));
    }

    /// <summary>Effort for an OpenAI-dialect upstream (chat or Responses), or null when it must not be sent.</summary>
    public static string? OpenAiEffort(ConvRequest req, string? model, List<string> notes)
    {
        if (EffortOf(req.Reasoning) is not { } effort) return null;
        if (req.Reasoning!.OpenAiNative || IsOpenAiReasoningModel(model)) return effort;
        notes.Add("reasoning not forwarded: the upstream model is not a known OpenAI reasoning model");
        return null;
    }
}
