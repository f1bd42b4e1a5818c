using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>Recorded upstream streams of each dialect, translated for every other client dialect and decoded as its SDK would.</summary>
public sealed class StreamTranslationTests
{
    /// <summary>What each recorded upstream stream says, independent of dialect.</summary>
    private static readonly Dictionary<string, (WireFamily Upstream, string Text, string Thinking, (string, string)[] Calls, string Finish, long Prompt, long Completion)> Recorded = new()
    {
        ["openai/chat_stream.sse"] = (WireFamily.OpenAiChat, "Hello!", "", [], "stop", 9, 2),
        ["openai/chat_stream_tool_calls.sse"] = (WireFamily.OpenAiChat, "", "",
            [("get_current_weather", """{"location":"Boston, MA"}"""), ("get_current_weather", """{"location":"Paris, France"}""")], "tool", 80, 48),
        ["claude/stream_thinking_tool.sse"] = (WireFamily.Claude, "Okay, let's check the weather for San Francisco, CA:",
            "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3",
            [("get_weather", """{"location":"San Francisco, CA"}""")], "tool", 472 + 100 + 2000, 89),
        ["gemini/stream.sse"] = (WireFamily.Gemini, "The sky is blue because of Rayleigh scattering.", "Thinking about", [], "stop", 8, 28),
        ["responses/stream.sse"] = (WireFamily.Responses, "Hi there!", "**Greeting the user**", [("get_weather", """{"location":"Paris"}""")], "tool", 37, 11),
    };

    public static TheoryData<string, WireFamily> Cases()
    {
        var data = new TheoryData<string, WireFamily>();
        foreach (var (file, rec) in Recorded)
            foreach (var client in Families)
                if (client != rec.Upstream) data.Add(file, client);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RecordedStream_DecodesForClient(string file, WireFamily client)
    {
        var rec = Recorded[file];
        var (output, translator) = Translate(rec.Upstream, client, GoldenFrames(file));

        var view = AnswerView.FromStream(client, output);
        view.AssertMatches(rec.Text, rec.Thinking, rec.Calls, rec.Finish, rec.Prompt, rec.Completion);
        Assert.True(translator.IsCompleted);
        Assert.True(translator.HasUpstreamUsage);
        Assert.Equal(rec.Prompt, translator.Usage.Prompt);
        Assert.Equal(rec.Completion, translator.Usage.Completion);
        Assert.Equal(rec.Calls.Length, translator.ToolCallCount);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RecordedStream_AggregatesIntoNonStreamBody(string file, WireFamily client)
    {
        var rec = Recorded[file];
        var (_, translator) = Translate(rec.Upstream, client, GoldenFrames(file));
        var view = AnswerView.FromBody(client, translator.BuildResponse());
        view.AssertMatches(rec.Text, rec.Thinking, rec.Calls, rec.Finish, rec.Prompt, rec.Completion);
    }

    [Fact]
    public void ClaudeUpstream_FinalUsageKeepsCacheSplit()
    {
        var (_, t) = Translate(WireFamily.Claude, WireFamily.OpenAiChat, GoldenFrames("claude/stream_thinking_tool.sse"));
        Assert.Equal(new TokenUsage
        {
            Prompt = 2572, Completion = 89, CachedRead = 2000, CacheCreation = 100, CacheCreation5m = 60, CacheCreation1h = 40, Total = 2661,
        }, t.Usage);
    }

    [Fact]
    public void GeminiUpstream_FinalUsageHasThoughtTokens()
    {
        var (_, t) = Translate(WireFamily.Gemini, WireFamily.Claude, GoldenFrames("gemini/stream.sse"));
        Assert.Equal(16, t.Usage.Reasoning);
        Assert.Equal(36, t.Usage.Total);
    }

    [Theory]
    [InlineData(WireFamily.OpenAiChat, "openai/chat_stream.sse")]
    [InlineData(WireFamily.Claude, "claude/stream_thinking_tool.sse")]
    [InlineData(WireFamily.Gemini, "gemini/stream.sse")]
    [InlineData(WireFamily.Responses, "responses/stream.sse")]
    public void SameDialect_ForwardsFramesVerbatimAndReadsUsage(WireFamily family, string file)
    {
        var frames = GoldenFrames(file);
        var (output, t) = Translate(family, family, frames);
        var events = ParseSse(output);
        Assert.Equal(frames, events.Select(e => e.Data).ToList());
        if (family is WireFamily.Claude or WireFamily.Responses)
            Assert.All(events, e => Assert.Equal(e.Json["type"]!.GetValue<string>(), e.Event));
        else
            Assert.All(events, e => Assert.Null(e.Event));
        Assert.True(t.HasUpstreamUsage);
        Assert.Equal(Recorded[file].Prompt, t.Usage.Prompt);
    }

    [Fact]
    public void OpenAiPassthrough_AddsDoneOnceWhenUpstreamOmitsIt()
    {
        var frames = GoldenFrames("openai/chat_stream.sse").Where(f => f != "[DONE]");
        var (output, _) = Translate(WireFamily.OpenAiChat, WireFamily.OpenAiChat, frames);
        Assert.Single(ParseSse(output), e => e.IsDone);
    }

    [Fact]
    public void OpenAiPassthrough_DropsUsageChunkWhenClientDidNotAskForUsage()
    {
        var options = new ResponseOptions { IncludeUsage = false };
        var (output, t) = Translate(WireFamily.OpenAiChat, WireFamily.OpenAiChat, GoldenFrames("openai/chat_stream.sse"), options);
        Assert.DoesNotContain(ParseSse(output), e => !e.IsDone && e.Json["usage"] is JsonObject);
        Assert.Equal(9, t.Usage.Prompt);   // still billed
    }

    [Fact]
    public void OpenAiClient_WithoutIncludeUsage_GetsNoUsageChunk()
    {
        var options = new ResponseOptions { IncludeUsage = false, NowUnixSeconds = Now };
        var (output, _) = Translate(WireFamily.Claude, WireFamily.OpenAiChat, GoldenFrames("claude/stream_thinking_tool.sse"), options);
        Assert.DoesNotContain(ParseSse(output), e => !e.IsDone && e.Json["usage"] is JsonObject);
    }

    [Fact]
    public void ClaudeClient_MessageStartUsesPromptEstimate_WhenUpstreamReportsUsageLate()
    {
        var (output, _) = Translate(WireFamily.OpenAiChat, WireFamily.Claude, GoldenFrames("openai/chat_stream.sse"));
        var events = ParseSse(output);
        Assert.Equal(42, events[0].Json["message"]!["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal("ping", events[1].Event);
        var delta = events.Single(e => e.Event == "message_delta").Json;
        Assert.Equal(9, delta["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(2, delta["usage"]!["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void ClaudeClient_ToolBlocksAreSequentialAndIndexed()
    {
        var (output, _) = Translate(WireFamily.OpenAiChat, WireFamily.Claude, GoldenFrames("openai/chat_stream_tool_calls.sse"));
        var sequence = ParseSse(output).Where(e => e.Event!.StartsWith("content_block", StringComparison.Ordinal))
            .Select(e => e.Event + ":" + e.Json["index"]).Distinct().ToList();
        Assert.Equal(["content_block_start:0", "content_block_delta:0", "content_block_stop:0",
            "content_block_start:1", "content_block_delta:1", "content_block_stop:1"], sequence);
    }

    [Fact]
    public void GeminiClient_JsonArrayForm_IsOneJsonArray()
    {
        var options = new ResponseOptions { GeminiJsonArray = true, NowUnixSeconds = Now };
        var (output, _) = Translate(WireFamily.Claude, WireFamily.Gemini, GoldenFrames("claude/stream_thinking_tool.sse"), options);
        var array = JsonNode.Parse(output)!.AsArray();
        Assert.True(array.Count >= 2);
        foreach (var chunk in array) SdkShape.GeminiResponse(chunk);
        Assert.Equal("STOP", array[^1]!["candidates"]![0]!["finishReason"]!.GetValue<string>());
        Assert.Equal("get_weather", array.SelectMany(c => c!["candidates"]![0]!["content"]!["parts"]!.AsArray()).Single(p => p!["functionCall"] is not null)!["functionCall"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void GeminiPassthrough_JsonArrayForm_IsOneJsonArray()
    {
        var options = new ResponseOptions { GeminiJsonArray = true };
        var (output, _) = Translate(WireFamily.Gemini, WireFamily.Gemini, GoldenFrames("gemini/stream.sse"), options);
        Assert.Equal(4, JsonNode.Parse(output)!.AsArray().Count);
    }

    [Fact]
    public void OpenAiClient_ThinkingToContent_WrapsReasoningInThinkTags()
    {
        var options = new ResponseOptions { ThinkingToContent = true, NowUnixSeconds = Now };
        var (output, _) = Translate(WireFamily.Gemini, WireFamily.OpenAiChat, GoldenFrames("gemini/stream.sse"), options);
        var view = AnswerView.FromStream(WireFamily.OpenAiChat, output);
        Assert.Equal("<think>\nThinking about\n</think>\nThe sky is blue because of Rayleigh scattering.", view.Text.ToString());
        Assert.Equal("", view.Thinking.ToString());
    }

    [Fact]
    public void ResponsesUpstream_EncryptedReasoning_BecomesClaudeSignature()
    {
        var (output, _) = Translate(WireFamily.Responses, WireFamily.Claude, GoldenFrames("responses/stream.sse"));
        var signature = ParseSse(output).Single(e => e.Event == "content_block_delta" && e.Json["delta"]!["type"]!.GetValue<string>() == "signature_delta");
        Assert.Equal("gAAAAABo-encrypted", signature.Json["delta"]!["signature"]!.GetValue<string>());
    }

    [Fact]
    public void ClaudeUpstream_SignatureReachesResponsesClientAsEncryptedContent()
    {
        var (output, _) = Translate(WireFamily.Claude, WireFamily.Responses, GoldenFrames("claude/stream_thinking_tool.sse"));
        var done = ParseSse(output).Single(e => e.Event == "response.completed").Json;
        var reasoning = done["response"]!["output"]!.AsArray().Single(i => i!["type"]!.GetValue<string>() == "reasoning")!;
        Assert.StartsWith("EqQBCgIYAhIM", reasoning["encrypted_content"]!.GetValue<string>());
    }

    [Fact]
    public void ResponsesClient_ItemIdsMatchBetweenEventsAndFinalResponse()
    {
        var (output, _) = Translate(WireFamily.OpenAiChat, WireFamily.Responses, GoldenFrames("openai/chat_stream_tool_calls.sse"));
        var events = ParseSse(output);
        var added = events.Where(e => e.Event == "response.output_item.added").Select(e => e.Json["item"]!["id"]!.GetValue<string>()).ToList();
        var final = events[^1].Json["response"]!["output"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(added, final);
        Assert.All(added, id => Assert.StartsWith("fc_", id));
    }

    [Fact]
    public void UpstreamEndsWithoutFinish_ClientStillGetsAWellFormedEnding()
    {
        var frames = GoldenFrames("claude/stream_thinking_tool.sse").Take(6);   // cut inside the thinking block
        var (output, t) = Translate(WireFamily.Claude, WireFamily.Responses, frames);
        Assert.True(t.IsCompleted);
        var events = ParseSse(output);
        SdkShape.ResponsesEvents(events);
        Assert.Equal("response.completed", events[^1].Event);
    }

    [Fact]
    public void FeedAcceptsParsedEventsAndIgnoresNonJson()
    {
        var t = FormatConverter.CreateStreamTranslator(WireFamily.OpenAiChat, WireFamily.Claude, Options);
        var buffer = new ArrayBufferWriter<byte>();
        t.Feed(": keep-alive"u8, buffer);
        foreach (var frame in GoldenFrames("openai/chat_stream.sse").Where(f => f != "[DONE]"))
            t.Feed(JsonNode.Parse(frame)!.AsObject(), buffer);
        t.Complete(buffer);
        t.Complete(buffer);   // idempotent
        var events = ParseSse(Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Single(events, e => e.Event == "message_stop");
        Assert.Equal("Hello!", t.CompletionText);
    }

    [Fact]
    public void FeedAcceptsWholeSseFramesAndJsonArrays()
    {
        var t = FormatConverter.CreateStreamTranslator(WireFamily.Claude, WireFamily.OpenAiChat, Options);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var frame in File.ReadAllText(GoldenPath("claude/stream_thinking_tool.sse")).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            t.Feed(Encoding.UTF8.GetBytes(frame), buffer);
        Assert.True(t.IsCompleted);
        Assert.Equal(89, t.Usage.Completion);

        var g = FormatConverter.CreateStreamTranslator(WireFamily.Gemini, WireFamily.Claude, Options);
        var array = "[" + string.Join(",\r\n", GoldenFrames("gemini/stream.sse")) + "]";
        g.Feed(Encoding.UTF8.GetBytes(array), buffer);
        g.Complete(buffer);
        Assert.Equal("Thinking aboutThe sky is blue because of Rayleigh scattering.", g.CompletionText);
    }

    [Fact]
    public void GeminiUpstream_PromptCountReachesClaudeMessageStart()
    {
        var (output, _) = Translate(WireFamily.Gemini, WireFamily.Claude, GoldenFrames("gemini/stream.sse"));
        Assert.Equal(8, ParseSse(output)[0].Json["message"]!["usage"]!["input_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void NoUpstreamUsage_TheEstimateIsWrittenAndExposed()
    {
        var frames = GoldenFrames("openai/chat_stream.sse").Where(f => !f.Contains("\"usage\":{", StringComparison.Ordinal));
        var options = new ResponseOptions { NowUnixSeconds = Now, EstimateUsage = text => new TokenUsage { Prompt = 30, Completion = text.Length, Total = 30 + text.Length } };
        var (output, t) = Translate(WireFamily.OpenAiChat, WireFamily.Claude, frames, options);
        Assert.False(t.HasUpstreamUsage);
        Assert.Equal(6, t.Usage.Completion);   // "Hello!"
        var delta = ParseSse(output).Single(e => e.Event == "message_delta").Json;
        Assert.Equal(30, delta["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(6, delta["usage"]!["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void ToolIdsFromOpenAiVendors_ReachClaudeClientsUnchanged()
    {
        var frames = new[]
        {
            """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"kimi","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},"finish_reason":null}]}""",
            """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"kimi","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
        };
        var view = AnswerView.FromStream(WireFamily.Claude, Translate(WireFamily.OpenAiChat, WireFamily.Claude, frames).Output);
        Assert.Equal("functions.get_weather:0", Assert.Single(view.Calls).Id);
    }

    [Fact]
    public void GeminiUpstream_FinishReasonOnEveryChunk_EndsTheClientsAnswerOnlyAtTheEnd()
    {
        var frames = new[] { "Hello", " from", " Gemini" }.Select(piece =>
            $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{piece}}"}]},"finishReason":"STOP","index":0}],"modelVersion":"g"}""").ToList();
        var events = ParseSse(Translate(WireFamily.Gemini, WireFamily.OpenAiChat, frames).Output).Where(e => !e.IsDone).ToList();
        static JsonNode? Choice(SseEvent e) => e.Json["choices"] is JsonArray { Count: > 0 } c ? c[0] : null;
        var finish = events.FindIndex(e => Choice(e)?["finish_reason"]?.GetValue<string>() == "stop");
        Assert.True(finish > 0);
        Assert.DoesNotContain(events.Skip(finish + 1), e => Choice(e)?["delta"]?["content"] is not null);
        Assert.Equal("Hello from Gemini", string.Concat(events.Select(e => Choice(e)?["delta"]?["content"]?.GetValue<string>())));

        var claude = ParseSse(Translate(WireFamily.Gemini, WireFamily.Claude, frames).Output);
        Assert.Single(claude, e => e.Event == "content_block_start");
        Assert.Equal("end_turn", claude.Single(e => e.Event == "message_delta").Json["delta"]!["stop_reason"]!.GetValue<string>());
    }
}
