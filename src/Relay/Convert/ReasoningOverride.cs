namespace NewApi.Relay.Convert;

/// <summary>Reasoning requested outside the body, e.g. by a <c>-thinking</c> / <c>-high</c> model suffix.</summary>
public sealed record ReasoningOverride(bool? Enabled = null, string? Effort = null, int? BudgetTokens = null);
