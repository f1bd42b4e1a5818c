namespace NewApi.Billing.Prices;

/// <summary>
/// New API's built-in completion (output) ratios by model family. A "locked" rule wins over the admin table, an
/// unlocked one is only the fallback when the table has no entry.
/// </summary>
internal static class CompletionRatioRules
{
    public static (double Ratio, bool Locked) For(string name)
    {
        if (name.EndsWith("-all", StringComparison.Ordinal) || name.EndsWith("-gizmo-*", StringComparison.Ordinal)) return (2, false);
        if (name.StartsWith("gpt-", StringComparison.Ordinal)) return Gpt(name);
        if (name.StartsWith("o1", StringComparison.Ordinal) || name.StartsWith("o3", StringComparison.Ordinal)) return (4, true);
        if (name == "chatgpt-4o-latest") return (3, true);
        if (name.Contains("claude-3", StringComparison.Ordinal) || name.Contains("claude-sonnet-4", StringComparison.Ordinal)
            || name.Contains("claude-opus-4", StringComparison.Ordinal) || name.Contains("claude-haiku-4", StringComparison.Ordinal)
            || name.Contains("claude-sonnet-5", StringComparison.Ordinal) || name.Contains("claude-opus-5", StringComparison.Ordinal))
            return (5, true);
        if (name.StartsWith("mistral-", StringComparison.Ordinal)) return (3, true);
        if (name.StartsWith("gemini-", StringComparison.Ordinal)) return Gemini(name);
        if (name.StartsWith("command", StringComparison.Ordinal)) return Command(name);
        if (name.StartsWith("ERNIE-Speed-", StringComparison.Ordinal) || name.StartsWith("ERNIE-Lite-", StringComparison.Ordinal)
            || name.StartsWith("ERNIE-Character", StringComparison.Ordinal) || name.StartsWith("ERNIE-Functions", StringComparison.Ordinal))
            return (2, true);
        return name switch
        {
            "llama2-70b-4096" => (0.8 / 0.64, true),
            "llama3-8b-8192" => (2, true),
            "llama3-70b-8192" => (0.79 / 0.59, true),
            _ => (1, false),
        };
    }

    private static (double, bool) Gpt(string name)
    {
        if (name.StartsWith("gpt-4o", StringComparison.Ordinal))
        {
            if (name == "gpt-4o-2024-05-13") return (3, true);
            return name.StartsWith("gpt-4o-mini-tts", StringComparison.Ordinal) ? (20, false) : (4, false);
        }
        if (name.StartsWith("gpt-5", StringComparison.Ordinal))
        {
            if (!name.Contains('.')) return (8, true);
            if (name.StartsWith("gpt-5.4", StringComparison.Ordinal)) return name.StartsWith("gpt-5.4-nano", StringComparison.Ordinal) ? (6.25, true) : (6, true);
            return (6, false);
        }
        if (name.StartsWith("gpt-4.5-preview", StringComparison.Ordinal)) return (2, true);
        if (name.StartsWith("gpt-4-turbo", StringComparison.Ordinal) || name.EndsWith("gpt-4-1106", StringComparison.Ordinal)
            || name.EndsWith("gpt-4-1105", StringComparison.Ordinal)) return (3, true);
        if (name.StartsWith("gpt-3.5", StringComparison.Ordinal))
        {
            if (name == "gpt-3.5-turbo" || name.EndsWith("0125", StringComparison.Ordinal)) return (3, true);
            return name.EndsWith("1106", StringComparison.Ordinal) ? (2, true) : (4.0 / 3.0, true);
        }
        return (2, false);
    }

    private static (double, bool) Gemini(string name)
    {
        if (name.StartsWith("gemini-1.5", StringComparison.Ordinal) || name.StartsWith("gemini-2.0", StringComparison.Ordinal)) return (4, true);
        if (name.StartsWith("gemini-2.5-pro", StringComparison.Ordinal)) return (8, false);
        if (name.StartsWith("gemini-2.5-flash", StringComparison.Ordinal))
        {
            if (name.StartsWith("gemini-2.5-flash-preview", StringComparison.Ordinal))
                return name.EndsWith("-nothinking", StringComparison.Ordinal) ? (4, false) : (3.5 / 0.15, false);
            return name.StartsWith("gemini-2.5-flash-lite", StringComparison.Ordinal) ? (4, false) : (2.5 / 0.3, false);
        }
        if (name.StartsWith("gemini-robotics-er-1.5", StringComparison.Ordinal)) return (2.5 / 0.3, false);
        if (name.StartsWith("gemini-3-pro", StringComparison.Ordinal))
            return name.StartsWith("gemini-3-pro-image", StringComparison.Ordinal) ? (60, false) : (6, false);
        return (4, false);
    }

    private static (double, bool) Command(string name) => name switch
    {
        "command-r" => (3, true),
        "command-r-plus" => (5, true),
        "command-r-08-2024" or "command-r-plus-08-2024" => (4, true),
        _ => (4, false),
    };
}
