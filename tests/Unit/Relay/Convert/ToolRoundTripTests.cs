using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>
/// Tool calls travel upstream → client (response or stream), the client answers them in its own dialect, and the next
/// request reaches the upstream with the upstream's own call ids (or, for Gemini, names) paired to the results.
/// </summary>
public sealed class ToolRoundTripTests
{
    private static readonly Dictionary<WireFamily, string> ToolResponses = new()
    {
        [WireFamily.OpenAiChat] = "openai/chat_response_tool_calls.json",
        [WireFamily.Claude] = "claude/message_response_tool_use.json",
        [WireFamily.Gemini] = "gemini/generate_response_function_call.json",
        [WireFamily.Responses] = "responses/response_function_call.json",
    };

    private static readonly Dictionary<WireFamily, string> ToolStreams = new()
    {
        [WireFamily.OpenAiChat] = "openai/chat_stream_tool_calls.sse",
        [WireFamily.Claude] = "claude/stream_thinking_tool.sse",
        [WireFamily.Gemini] = "gemini/stream_function_call.sse",
        [WireFamily.Responses] = "responses/stream.sse",
    };

    public static TheoryData<WireFamily, WireFamily> Pairs() => CrossPairs();

    [Theory]
    [MemberData(nameof(Pairs))]
    public void NonStream_ToolCallRoundTrip(WireFamily client, WireFamily upstream)
    {
        var response = Golden(ToolResponses[upstream]);
        var original = AnswerView.FromBody(upstream, response).Calls;
        var seen = AnswerView.FromBody(client, Wire(FormatConverter.ConvertResponse(upstream, client, response, Options).Body)).Calls;
        AssertRoundTrip(client, upstream, original, seen);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Stream_ToolCallRoundTrip(WireFamily client, WireFamily upstream)
    {
        var frames = GoldenFrames(ToolStreams[upstream]);
        var original = AnswerView.FromStream(upstream, Translate(upstream, upstream, frames).Output).Calls;
        var seen = AnswerView.FromStream(client, Translate(upstream, client, frames).Output).Calls;
        AssertRoundTrip(client, upstream, original, seen);
    }

    private static void AssertRoundTrip(WireFamily client, WireFamily upstream, List<ToolCallView> original, List<ToolCallView> seen)
    {
        Assert.NotEmpty(original);
        Assert.Equal(original.Select(c => c.Name), seen.Select(c => c.Name));
        Assert.Equal(seen.Count, seen.Select(c => c.Id).Distinct().Count());

        var followUp = FollowUp(client, seen);
        var options = new RequestOptions { Model = "upstream-model", Stream = false };
        var probe = RequestProbe.Of(upstream, Wire(FormatConverter.ConvertRequest(client, upstream, followUp, options).Body));

        Assert.Equal(original.Select(c => c.Name), probe.Calls.Select(c => c.Name));
        for (var i = 0; i < original.Count; i++) SameJson(original[i].Args, probe.Calls[i].Args);
        Assert.Equal(original.Select((_, i) => "result " + i), probe.Results.Select(r => r.Text));
        if (upstream == WireFamily.Gemini)
        {
            Assert.Equal(original.Select(c => c.Name), probe.Results.Select(r => r.Name));
            return;
        }
        // The upstream sees its own ids again, whatever the client dialect (Gemini clients included).
        Assert.Equal(original.Select(c => c.Id), probe.Calls.Select(c => c.Id));
        Assert.Equal(original.Select(c => c.Id), probe.Results.Select(r => r.Id));
    }

    /// <summary>The next request a client sends: its question, the assistant turn it received, one result per call.</summary>
    private static JsonObject FollowUp(WireFamily client, List<ToolCallView> calls) => client switch
    {
        WireFamily.OpenAiChat => OpenAiFollowUp(calls),
        WireFamily.Claude => ClaudeFollowUp(calls),
        WireFamily.Gemini => GeminiFollowUp(calls),
        _ => ResponsesFollowUp(calls),
    };

    private static JsonObject OpenAiFollowUp(List<ToolCallView> calls)
    {
        var messages = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "question" },
            new JsonObject
            {
                ["role"] = "assistant", ["content"] = null,
                ["tool_calls"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Args },
                }).ToArray()),
            });
        for (var i = 0; i < calls.Count; i++) messages.Add((JsonNode)new JsonObject { ["role"] = "tool", ["tool_call_id"] = calls[i].Id, ["content"] = "result " + i });
        return new JsonObject { ["model"] = "m", ["messages"] = messages };
    }

    private static JsonObject ClaudeFollowUp(List<ToolCallView> calls) => new()
    {
        ["model"] = "m", ["max_tokens"] = 100,
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "question" },
            new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
            {
                ["type"] = "tool_use", ["id"] = c.Id, ["name"] = c.Name, ["input"] = JsonNode.Parse(c.Args),
            }).ToArray()) },
            new JsonObject { ["role"] = "user", ["content"] = new JsonArray(calls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["type"] = "tool_result", ["tool_use_id"] = c.Id, ["content"] = "result " + i,
            }).ToArray()) }),
    };

    private static JsonObject GeminiFollowUp(List<ToolCallView> calls) => new()
    {
        ["contents"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = "question" }) },
            new JsonObject { ["role"] = "model", ["parts"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
            {
                ["functionCall"] = new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["args"] = JsonNode.Parse(c.Args) },
            }).ToArray()) },
            new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(calls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["functionResponse"] = new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["response"] = new JsonObject { ["content"] = "result " + i } },
            }).ToArray()) }),
    };

    private static JsonObject ResponsesFollowUp(List<ToolCallView> calls)
    {
        var input = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "question" });
        foreach (var c in calls) input.Add((JsonNode)new JsonObject { ["type"] = "function_call", ["call_id"] = c.Id, ["name"] = c.Name, ["arguments"] = c.Args });
        for (var i = 0; i < calls.Count; i++) input.Add((JsonNode)new JsonObject { ["type"] = "function_call_output", ["call_id"] = calls[i].Id, ["output"] = "result " + i });
        return new JsonObject { ["model"] = "m", ["input"] = input };
    }

    [Fact]
    public void ClaudeThinkingSignature_SurvivesAResponsesClientRoundTrip()
    {
        var response = FormatConverter.ConvertResponse(WireFamily.Claude, WireFamily.Responses, Golden("claude/message_response_tool_use.json"), Options).Body;
        var input = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "weather?" });
        foreach (var item in response["output"]!.AsArray()) input.Add(item!.DeepClone());
        input.Add((JsonNode)new JsonObject { ["type"] = "function_call_output", ["call_id"] = "toolu_01A09q90qw90lq917835lq9", ["output"] = "15 degrees" });
        var request = new JsonObject { ["model"] = "claude-opus-4-1", ["input"] = input, ["reasoning"] = new JsonObject { ["effort"] = "high" } };

        var converted = FormatConverter.ConvertRequest(WireFamily.Responses, WireFamily.Claude, request);
        var assistant = converted.Body["messages"]![1]!["content"]!.AsArray();
        Assert.Equal("thinking", assistant[0]!["type"]!.GetValue<string>());
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", assistant[0]!["signature"]!.GetValue<string>());
        Assert.Equal("enabled", converted.Body["thinking"]!["type"]!.GetValue<string>());
    }
}
