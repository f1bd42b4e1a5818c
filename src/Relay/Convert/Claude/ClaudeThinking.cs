using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Claude;

/// <summary>
/// Reasoning knobs → Claude <c>thinking</c> (relay.md §4.2, §4.10). Opus 4.6/4.7 take adaptive thinking plus
/// <c>output_config.effort</c>; every other model an explicit budget that must stay below <c>max_tokens</c>.
/// </summary>
internal static class ClaudeThinking
{
    public static void Write(ConvRequest req, JsonObject body, WriteContext ctx)
    {
        var r = req.Reasoning;
        if (r is null || r.Enabled is null && r.Effort is null && r.BudgetTokens is null) return;
        if (r.Enabled == false || r.Effort == "none")
        {
            body["thinking"] = new JsonObject { ["type"] = "disabled" };
            return;
        }
        if (LastToolTurnLacksThinking(body))
        {
            // Claude rejects thinking when the assistant turn being continued (a tool loop) has no signed thinking
            // block, which is always the case for history that came from another vendor.
            ctx.Note("thinking disabled: the tool-use turn being continued carries no Claude thinking block");
            return;
        }
        var model = ctx.Model ?? "";
        if (IsAdaptiveOnly(model) || (r.Dynamic && r.BudgetTokens is null && IsAdaptiveCapable(model)))
        {
            body["thinking"] = model.Contains("opus-4-7", StringComparison.Ordinal)
                ? new JsonObject { ["type"] = "adaptive", ["display"] = "summarized" }
                : new JsonObject { ["type"] = "adaptive" };
            var config = body["output_config"] as JsonObject ?? new JsonObject();
            config["effort"] = ClaudeEffort(ReasoningMap.EffortOf(r) ?? "high");
            body["output_config"] = config;
        }
        else if (!Budget(r, body, ctx))
        {
            return;
        }
        // Extended thinking only runs with default sampling.
        foreach (var key in (string[])["temperature", "top_p", "top_k"])
            if (body.Remove(key)) ctx.Note("dropped " + key + " (thinking enabled)");
    }

    private static bool Budget(ConvReasoning r, JsonObject body, WriteContext ctx)
    {
        var budget = r.BudgetTokens is > 0 and var b ? b : ReasoningMap.ClaudeBudget(r.Effort);
        budget = Math.Max(budget, ReasoningMap.ClaudeMinBudget);
        var maxTokens = (int)(J.Long(body, "max_tokens") ?? ctx.Options.ClaudeDefaultMaxTokens);
        if (maxTokens <= budget)
        {
            // OpenAI semantics: the client's output limit includes reasoning, so the budget fits inside it.
            if (maxTokens <= ReasoningMap.ClaudeMinBudget)
            {
                ctx.Note("thinking disabled: max_tokens too small for a thinking budget");
                return false;
            }
            budget = maxTokens - 1;
        }
        body["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
        return true;
    }

    private static bool IsAdaptiveOnly(string model) => model.Contains("opus-4-7", StringComparison.Ordinal);

    private static bool IsAdaptiveCapable(string model) =>
        model.Contains("opus-4-6", StringComparison.Ordinal) || model.Contains("opus-4-7", StringComparison.Ordinal);

    private static string ClaudeEffort(string effort) => effort switch
    {
        "minimal" => "low",
        _ => effort,
    };

    private static bool LastToolTurnLacksThinking(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages || messages.Count < 2) return false;
        if (messages[^1] is not JsonObject last || J.Str(last, "role") != "user") return false;
        if (!HasBlock(last, "tool_result")) return false;
        var assistant = messages[^2] as JsonObject;
        if (assistant is null || J.Str(assistant, "role") != "assistant" || !HasBlock(assistant, "tool_use")) return false;
        var first = (J.Arr(assistant, "content") is { Count: > 0 } c ? c[0] : null) as JsonObject;
        return J.Str(first, "type") is not ("thinking" or "redacted_thinking");
    }

    private static bool HasBlock(JsonObject message, string type) =>
        J.Arr(message, "content") is { } content && content.Any(b => J.Str(b as JsonObject, "type") == type);
}
