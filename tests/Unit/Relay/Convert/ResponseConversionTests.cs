using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>Published non-stream responses of each dialect converted for every other client dialect.</summary>
public sealed class ResponseConversionTests
{
    private static readonly Dictionary<string, (WireFamily Upstream, string Text, string Thinking, (string, string)[] Calls, string Finish, long Prompt, long Completion)> Published = new()
    {
        ["openai/chat_response.json"] = (WireFamily.OpenAiChat, "Hello! How can I assist you today?", "", [], "stop", 19, 10),
        ["openai/chat_response_tool_calls.json"] = (WireFamily.OpenAiChat, "", "", [("get_current_weather", """{"location":"Boston, MA"}""")], "tool", 82, 17),
        ["claude/message_response.json"] = (WireFamily.Claude, "Hi! My name is Claude.", "", [], "stop", 2095 + 2051 + 2051, 503),
        ["claude/message_response_tool_use.json"] = (WireFamily.Claude, "I'll check the current weather in San Francisco for you.", "I need the weather, so I will call the tool.",
            [("get_weather", """{"location":"San Francisco, CA","unit":"celsius"}""")], "tool", 472, 91),
        ["gemini/generate_response.json"] = (WireFamily.Gemini, "It is currently sunny in Boston with a temperature of 22°C.", "Let me think about the weather pattern.", [], "stop", 312, 68),
        ["gemini/generate_response_function_call.json"] = (WireFamily.Gemini, "", "",
            [("get_current_weather", """{"location":"Boston, MA"}"""), ("get_current_weather", """{"location":"Paris, France"}""")], "tool", 120, 24),
        ["responses/response.json"] = (WireFamily.Responses,
            "In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool that reflected the stars.",
            "Considering a gentle bedtime story.", [], "stop", 36, 87),
        ["responses/response_function_call.json"] = (WireFamily.Responses, "", "",
            [("get_current_weather", """{"location":"Boston, MA","unit":"celsius"}""")], "tool", 291, 23),
    };

    public static TheoryData<string, WireFamily> Cases()
    {
        var data = new TheoryData<string, WireFamily>();
        foreach (var (file, p) in Published)
            foreach (var client in Families)
                if (client != p.Upstream) data.Add(file, client);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PublishedResponse_DecodesForClient(string file, WireFamily client)
    {
        var p = Published[file];
        var converted = FormatConverter.ConvertResponse(p.Upstream, client, Golden(file), Options);

        switch (client)
        {
            case WireFamily.OpenAiChat: SdkShape.OpenAiCompletion(converted.Body); break;
            case WireFamily.Claude: SdkShape.ClaudeMessage(converted.Body); break;
            case WireFamily.Gemini: SdkShape.GeminiResponse(converted.Body); break;
            default: SdkShape.ResponsesObject(converted.Body); break;
        }
        AnswerView.FromBody(client, converted.Body).AssertMatches(p.Text, p.Thinking, p.Calls, p.Finish, p.Prompt, p.Completion);
        Assert.Equal(p.Prompt, converted.Usage.Prompt);
        Assert.Equal(p.Completion, converted.Usage.Completion);
        Assert.Equal(p.Finish == "tool" ? StopReason.ToolUse : StopReason.EndTurn, converted.StopReason);
    }

    [Fact]
    public void SameDialect_ReturnsBodyUnchangedWithUsage()
    {
        var body = Golden("claude/message_response.json");
        var converted = FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.Claude, body, Options);
        Assert.Same(body, converted.Body);
        Assert.Equal(6197, converted.Usage.Prompt);
    }

    [Fact]
    public void ClaudeUsage_IsNormalisedWithCacheSplit()
    {
        var usage = FormatConverter.ReadUsage(WireFamily.Claude, Golden("claude/message_response.json"));
        Assert.Equal(new TokenUsage
        {
            Prompt = 6197, Completion = 503, CachedRead = 2051, CacheCreation = 2051, CacheCreation5m = 1024, CacheCreation1h = 1027, Total = 6700,
        }, usage);
        Assert.Equal(2095, usage.UncachedPrompt);
    }

    [Fact]
    public void ClaudeUsage_ToOpenAiClient_CountsCacheInPrompt()
    {
        var body = FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.OpenAiChat, Golden("claude/message_response.json"), Options).Body;
        Assert.Equal(6197, body["usage"]!["prompt_tokens"]!.GetValue<long>());
        Assert.Equal(2051, body["usage"]!["prompt_tokens_details"]!["cached_tokens"]!.GetValue<long>());
        Assert.Equal(6700, body["usage"]!["total_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void OpenAiCachedTokens_ToClaudeClient_AreSplitOutOfInputTokens()
    {
        var body = FormatConverter.ConvertResponse(WireFamily.OpenAiChat, WireFamily.Claude, Golden("openai/chat_response_tool_calls.json"), Options).Body;
        var usage = body["usage"]!;
        Assert.Equal(18, usage["input_tokens"]!.GetValue<long>());
        Assert.Equal(64, usage["cache_read_input_tokens"]!.GetValue<long>());
        Assert.Equal("tool_use", body["stop_reason"]!.GetValue<string>());
        Assert.Equal("call_abc123", body["content"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void GeminiUsage_SplitsThoughtsModalitiesAndCache()
    {
        var usage = FormatConverter.ReadUsage(WireFamily.Gemini, Golden("gemini/generate_response.json"));
        Assert.Equal(new TokenUsage { Prompt = 312, Completion = 68, CachedRead = 256, Reasoning = 50, ImageIn = 258, Total = 380 }, usage);
    }

    [Fact]
    public void AudioTokens_AreReadFromOpenAiAndGeminiUsage()
    {
        var openAi = FormatConverter.ReadUsage(WireFamily.OpenAiChat, Obj("""
            {"usage":{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,
             "prompt_tokens_details":{"cached_tokens":10,"audio_tokens":40},"completion_tokens_details":{"reasoning_tokens":5,"audio_tokens":30}}}
            """));
        Assert.Equal((40L, 30L, 5L, 10L), (openAi.AudioIn, openAi.AudioOut, openAi.Reasoning, openAi.CachedRead));
        var gemini = FormatConverter.ReadUsage(WireFamily.Gemini, Obj("""
            {"usageMetadata":{"promptTokenCount":90,"candidatesTokenCount":20,"totalTokenCount":110,
             "promptTokensDetails":[{"modality":"TEXT","tokenCount":10},{"modality":"AUDIO","tokenCount":80}],
             "candidatesTokensDetails":[{"modality":"AUDIO","tokenCount":20}]}}
            """));
        Assert.Equal((80L, 20L), (gemini.AudioIn, gemini.AudioOut));
    }

    [Fact]
    public void ResponsesUsage_ReadsCachedAndReasoningTokens()
    {
        var usage = FormatConverter.ReadUsage(WireFamily.Responses, Golden("responses/response_function_call.json"));
        Assert.Equal((291L, 23L, 128L, 314L), (usage.Prompt, usage.Completion, usage.CachedRead, usage.Total));
        Assert.Equal(64, FormatConverter.ReadUsage(WireFamily.Responses, Golden("responses/response.json")).Reasoning);
    }

    [Fact]
    public void GeminiGeneratedImage_BecomesMarkdownForOpenAiClient()
    {
        var body = Obj("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Here it is:"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1290,"totalTokenCount":1295}}
            """);
        var converted = FormatConverter.ConvertResponse(WireFamily.Gemini, WireFamily.OpenAiChat, body, Options).Body;
        Assert.Equal("Here it is:\n![image](data:image/png;base64,iVBORw0KGgo=)", converted["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("MAX_TOKENS", "length", "max_tokens")]
    [InlineData("SAFETY", "content_filter", "refusal")]
    [InlineData("RECITATION", "content_filter", "refusal")]
    [InlineData("STOP", "stop", "end_turn")]
    public void GeminiFinishReasons_MapPerRelayReference(string gemini, string openAi, string claude)
    {
        var body = Obj($$$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"x"}]},"finishReason":"{{{gemini}}}"}]}""");
        Assert.Equal(openAi, FormatConverter.ConvertResponse(WireFamily.Gemini, WireFamily.OpenAiChat, body, Options).Body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(claude, FormatConverter.ConvertResponse(WireFamily.Gemini, WireFamily.Claude, body, Options).Body["stop_reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("end_turn", "stop", "STOP", "completed")]
    [InlineData("stop_sequence", "stop", "STOP", "completed")]
    [InlineData("max_tokens", "length", "MAX_TOKENS", "incomplete")]
    [InlineData("refusal", "content_filter", "SAFETY", "incomplete")]
    public void ClaudeStopReasons_MapPerRelayReference(string claude, string openAi, string gemini, string responses)
    {
        var body = Obj($$$"""{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"x"}],"stop_reason":"{{{claude}}}","usage":{"input_tokens":1,"output_tokens":1}}""");
        Assert.Equal(openAi, FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.OpenAiChat, body, Options).Body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(gemini, FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.Gemini, body, Options).Body["candidates"]![0]!["finishReason"]!.GetValue<string>());
        Assert.Equal(responses, FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.Responses, body, Options).Body["status"]!.GetValue<string>());
    }

    [Fact]
    public void OpenAiLength_BecomesIncompleteResponsesWithReason()
    {
        var body = Obj("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""");
        var r = FormatConverter.ConvertResponse(WireFamily.OpenAiChat, WireFamily.Responses, body, Options).Body;
        Assert.Equal("incomplete", r["status"]!.GetValue<string>());
        Assert.Equal("max_output_tokens", r["incomplete_details"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void ResponsesClient_EchoesRequestSettings()
    {
        var request = Golden("responses/request.json");
        var options = new ResponseOptions { NowUnixSeconds = Now, ClientRequest = request };
        var r = FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.Responses, Golden("claude/message_response.json"), options).Body;
        Assert.Equal("You are a helpful assistant.", r["instructions"]!.GetValue<string>());
        Assert.Equal("get_weather", r["tools"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(2048, r["max_output_tokens"]!.GetValue<long>());
        Assert.Equal("high", r["reasoning"]!["effort"]!.GetValue<string>());
    }

    [Fact]
    public void ModelOverride_ShowsClientModelName()
    {
        var options = new ResponseOptions { NowUnixSeconds = Now, Model = "my-alias" };
        var body = FormatConverter.ConvertResponse(WireFamily.Gemini, WireFamily.Claude, Golden("gemini/generate_response.json"), options).Body;
        Assert.Equal("my-alias", body["model"]!.GetValue<string>());
    }
}
