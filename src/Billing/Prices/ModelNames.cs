namespace NewApi.Billing.Prices;

/// <summary>New API's name normalisation for price lookups and token model limits (FormatMatchingModelName).</summary>
public static class ModelNames
{
    public static string Normalise(string name)
    {
        if (name.StartsWith("gemini-2.5-flash-lite", StringComparison.Ordinal)) name = ThinkingBudget(name, "gemini-2.5-flash-lite-thinking-*");
        else if (name.StartsWith("gemini-2.5-flash", StringComparison.Ordinal)) name = ThinkingBudget(name, "gemini-2.5-flash-thinking-*");
        else if (name.StartsWith("gemini-2.5-pro", StringComparison.Ordinal)) name = ThinkingBudget(name, "gemini-2.5-pro-thinking-*");
        if (name.StartsWith("gpt-4-gizmo", StringComparison.Ordinal)) return "gpt-4-gizmo-*";
        if (name.StartsWith("gpt-4o-gizmo", StringComparison.Ordinal)) return "gpt-4o-gizmo-*";
        return name;
    }

    private static string ThinkingBudget(string name, string wildcard) =>
        name.Contains("-thinking-", StringComparison.Ordinal) ? wildcard : name;
}
