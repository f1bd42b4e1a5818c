using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>What Claude Code sends to <c>/v1/messages</c>, converted for OpenAI-dialect, Gemini and Responses upstreams.</summary>
public sealed class ClaudeCodeRequestTests
{
    private static ConvertedRequest To(WireFamily upstream, string? model = null) =>
        FormatConverter.ConvertRequest(WireFamily.Claude, upstream, Golden("claude/messages_request_claude_code.json"), new RequestOptions { Model = model });

    [Fact]
    public void ToOpenAi_SystemBlocksJoin_ThinkingAndEmptyTextDrop_ToolResultsBecomeToolMessages()
    {
        var body = Wire(To(WireFamily.OpenAiChat).Body);
        var messages = body["messages"]!.AsArray();
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Equal("You are Claude Code, Anthropic's official CLI for Claude.\nWorking directory: /home/dev/project", messages[0]!["content"]!.GetValue<string>());
        var assistant = messages[2]!;
        Assert.Null(assistant["content"]);
        Assert.Null(assistant["reasoning_content"]);
        Assert.Equal(2, assistant["tool_calls"]!.AsArray().Count);
        Assert.Equal(["tool", "tool", "user"], messages.Skip(3).Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("toolu_01Bscreenshot7", messages[4]!["tool_call_id"]!.GetValue<string>());
        var trailing = messages[5]!["content"]!.AsArray();
        Assert.Equal("image_url", trailing[0]!["type"]!.GetValue<string>());   // the screenshot the tool returned
        Assert.Equal("Summarise both, please.", trailing[1]!["text"]!.GetValue<string>());
        Assert.Equal(32000, body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void ToOpenAi_KeepsCacheControlOnlyWhenTheChannelUnderstandsIt()
    {
        var options = new RequestOptions { OpenAiCacheControl = true };
        var body = FormatConverter.ConvertRequest(WireFamily.Claude, WireFamily.OpenAiChat, Golden("claude/messages_request_claude_code.json"), options).Body;
        var system = body["messages"]![0]!["content"]!.AsArray();
        Assert.Equal("1h", system[1]!["cache_control"]!["ttl"]!.GetValue<string>());
    }

    [Fact]
    public void ToOpenAi_ThinkingIsNotForwardedToNonReasoningModels()
    {
        var converted = To(WireFamily.OpenAiChat, "gpt-4.1");
        Assert.Null(converted.Body["reasoning_effort"]);
        Assert.Contains(converted.Notes, n => n.StartsWith("reasoning not forwarded", StringComparison.Ordinal));
        Assert.Contains("dropped context_management", converted.Notes);
    }

    [Fact]
    public void ToOpenAiReasoningModel_BudgetBecomesEffort_SamplingDropped_MaxCompletionTokens()
    {
        var body = To(WireFamily.OpenAiChat, "o4-mini").Body;
        Assert.Equal("high", body["reasoning_effort"]!.GetValue<string>());   // 31 999 budget
        Assert.Null(body["temperature"]);
        Assert.Null(body["max_tokens"]);
        Assert.Equal(32000, body["max_completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void ToGemini_ThoughtSignaturePlaceholderOnFirstCallOnly_ImagesInlineNextToResults()
    {
        var body = Wire(To(WireFamily.Gemini, "gemini-3-pro-preview").Body);
        var model = body["contents"]![1]!["parts"]!.AsArray();
        Assert.Equal("skip_thought_signature_validator", model[0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Null(model[1]!["thoughtSignature"]);
        var results = body["contents"]![2]!["parts"]!.AsArray();
        Assert.Equal("15 degrees", results[0]!["functionResponse"]!["response"]!["content"]!.GetValue<string>());
        Assert.Equal("image/png", results[2]!["inlineData"]!["mimeType"]!.GetValue<string>());
        Assert.Equal("high", body["generationConfig"]!["thinkingConfig"]!["thinkingLevel"]!.GetValue<string>());
        Assert.Null(body["tools"]![0]!["functionDeclarations"]![1]!["parameters"]);   // empty object schema dropped
    }

    [Fact]
    public void ToGemini25Flash_BudgetIsClampedToTheModelMaximum()
    {
        var body = To(WireFamily.Gemini, "gemini-2.5-flash").Body;
        Assert.Equal(24576, body["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.True(body["generationConfig"]!["thinkingConfig"]!["includeThoughts"]!.GetValue<bool>());
    }

    [Fact]
    public void ToResponses_ToolResultWithImage_IsArrayOutput()
    {
        var body = Wire(To(WireFamily.Responses, "gpt-5").Body);
        var output = body["input"]!.AsArray().Where(i => i!["type"]!.GetValue<string>() == "function_call_output").ToList();
        Assert.Equal("15 degrees", output[0]!["output"]!.GetValue<string>());
        Assert.Equal("input_image", output[1]!["output"]![1]!["type"]!.GetValue<string>());
        Assert.Equal("high", body["reasoning"]!["effort"]!.GetValue<string>());
        Assert.Equal("auto", body["reasoning"]!["summary"]!.GetValue<string>());
    }

    [Fact]
    public void ThinkingBlockWithSignature_IsReplayedToClaude()
    {
        var body = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Obj("""
            {"model":"claude-x","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello","reasoning_content":"unsigned"}]}
            """)).Body;
        var assistant = body["messages"]![1]!["content"]!.AsArray();
        Assert.Single(assistant);                                            // unsigned reasoning cannot be replayed to Claude
        Assert.Equal("text", assistant[0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void MetadataUserId_ReachesOpenAiUserOnlyWhenShortEnough()
    {
        var body = Golden("claude/messages_request_claude_code.json");
        body["metadata"]!["user_id"] = new string('u', 65);
        Assert.Null(FormatConverter.ConvertRequest(WireFamily.Claude, WireFamily.OpenAiChat, body).Body["user"]);
    }
}
