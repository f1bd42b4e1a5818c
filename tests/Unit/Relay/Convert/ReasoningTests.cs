using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>thinking ⇄ reasoning_effort ⇄ thinkingConfig ⇄ Responses reasoning (relay.md §4.2, §4.6, §4.10).</summary>
public sealed class ReasoningTests
{
    private static JsonObject Chat(string effort, string model = "m", int? maxTokens = null) => Obj($$$"""
        {"model":"{{{model}}}","messages":[{"role":"user","content":"x"}],"reasoning_effort":"{{{effort}}}"{{{(maxTokens is null ? "" : ",\"max_tokens\":" + maxTokens)}}}}
        """);

    [Theory]
    [InlineData("claude-3-7-sonnet-thinking", "claude-3-7-sonnet", true, null, null)]
    [InlineData("gemini-2.5-flash-nothinking", "gemini-2.5-flash", false, null, null)]
    [InlineData("gemini-2.5-flash-thinking-512", "gemini-2.5-flash", true, null, 512)]
    [InlineData("o3-mini-high", "o3-mini", true, "high", null)]
    [InlineData("gpt-5-minimal", "gpt-5", true, "minimal", null)]
    [InlineData("gpt-5.1-none", "gpt-5.1", false, "none", null)]
    [InlineData("claude-opus-4-7-max", "claude-opus-4-7", true, "max", null)]
    [InlineData("gpt-4o", "gpt-4o", null, null, null)]
    public void ModelSuffix_IsStrippedIntoAReasoningOverride(string model, string baseModel, bool? enabled, string? effort, int? budget)
    {
        Assert.Equal(baseModel, ReasoningSuffix.Strip(model, out var reasoning));
        Assert.Equal(enabled, reasoning?.Enabled);
        Assert.Equal(effort, reasoning?.Effort);
        Assert.Equal(budget, reasoning?.BudgetTokens);
    }

    [Theory]
    [InlineData("low", 1280)]
    [InlineData("medium", 2048)]
    [InlineData("high", 4096)]
    public void OpenAiEffort_ToClaudeBudget_MatchesNewApi(string effort, int budget)
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Chat(effort)).Body;
        Assert.Equal("enabled", body["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal(budget, body["thinking"]!["budget_tokens"]!.GetValue<int>());
        Assert.Equal(8192, body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void ClaudeBudget_StaysBelowTheClientsMaxTokens()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Chat("high", maxTokens: 2000)).Body;
        Assert.Equal(1999, body["thinking"]!["budget_tokens"]!.GetValue<int>());
        Assert.Equal(2000, body["max_tokens"]!.GetValue<int>());
        var small = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Chat("high", maxTokens: 800));
        Assert.Null(small.Body["thinking"]);
        Assert.Contains(small.Notes, n => n.Contains("max_tokens too small", StringComparison.Ordinal));
    }

    [Fact]
    public void ClaudeThinking_DropsSamplingParameters()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Obj("""
            {"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low","temperature":0.3,"top_k":5}
            """)).Body;
        Assert.Null(body["temperature"]);
        Assert.Null(body["top_k"]);
    }

    [Fact]
    public void Opus47Suffix_UsesAdaptiveThinkingWithEffort()
    {
        var model = ReasoningSuffix.Strip("claude-opus-4-7-high", out var reasoning);
        var options = new RequestOptions { Model = model, Reasoning = reasoning };
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Obj("""{"model":"claude-opus-4-7-high","messages":[{"role":"user","content":"x"}],"temperature":0.5}"""), options).Body;
        Assert.Equal("claude-opus-4-7", body["model"]!.GetValue<string>());
        Assert.Equal("adaptive", body["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal("summarized", body["thinking"]!["display"]!.GetValue<string>());
        Assert.Equal("high", body["output_config"]!["effort"]!.GetValue<string>());
        Assert.Null(body["temperature"]);
    }

    [Theory]
    [InlineData("low", 1024)]
    [InlineData("medium", 8192)]
    [InlineData("high", 24576)]
    public void OpenAiEffort_ToGeminiBudget(string effort, int budget)
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Gemini, Chat(effort, "gemini-2.5-pro")).Body;
        Assert.Equal(budget, body["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.True(body["generationConfig"]!["thinkingConfig"]!["includeThoughts"]!.GetValue<bool>());
    }

    [Fact]
    public void Gemini3_TakesThinkingLevel()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Gemini, Chat("low", "gemini-3-pro-preview")).Body;
        Assert.Equal("low", body["generationConfig"]!["thinkingConfig"]!["thinkingLevel"]!.GetValue<string>());
        Assert.Null(body["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]);
    }

    [Fact]
    public void ReasoningOff_DisablesClaudeThinking_AndZeroesGeminiFlashBudget()
    {
        var claude = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Chat("none")).Body;
        Assert.Equal("disabled", claude["thinking"]!["type"]!.GetValue<string>());
        var gemini = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Gemini, Chat("none", "gemini-2.5-flash")).Body;
        Assert.Equal(0, gemini["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
    }

    [Fact]
    public void GeminiBudgetZero_DisablesClaudeThinking_AndSendsNoEffortToOpenAi()
    {
        var request = Obj("""{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}""");
        var claude = FormatConverter.ConvertRequest(WireFamily.Gemini, WireFamily.Claude, request, new RequestOptions { Model = "claude-sonnet-4" }).Body;
        Assert.Equal("disabled", claude["thinking"]!["type"]!.GetValue<string>());
        var openAi = FormatConverter.ConvertRequest(WireFamily.Gemini, WireFamily.OpenAiChat, request, new RequestOptions { Model = "o3" }).Body;
        Assert.Null(openAi["reasoning_effort"]);
    }

    [Fact]
    public void ClaudeThinking_ToResponsesReasoningModel_AsksForASummary()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.Claude, WireFamily.Responses, Obj("""
            {"model":"m","max_tokens":5000,"thinking":{"type":"enabled","budget_tokens":10000},"messages":[{"role":"user","content":"x"}]}
            """), new RequestOptions { Model = "gpt-5-codex" }).Body;
        Assert.Equal("medium", body["reasoning"]!["effort"]!.GetValue<string>());
        Assert.Equal("auto", body["reasoning"]!["summary"]!.GetValue<string>());
    }

    [Fact]
    public void ResponsesReasoning_ToGemini_IncludesThoughts()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.Responses, WireFamily.Gemini, Obj("""
            {"model":"gemini-2.5-flash","input":"x","reasoning":{"effort":"minimal","summary":"detailed"}}
            """)).Body;
        Assert.Equal(512, body["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.True(body["generationConfig"]!["thinkingConfig"]!["includeThoughts"]!.GetValue<bool>());
    }

    [Fact]
    public void OpenRouterReasoningObject_BudgetReachesClaude()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Obj("""
            {"model":"m","messages":[{"role":"user","content":"x"}],"reasoning":{"max_tokens":3000}}
            """)).Body;
        Assert.Equal(3000, body["thinking"]!["budget_tokens"]!.GetValue<int>());
    }
}
