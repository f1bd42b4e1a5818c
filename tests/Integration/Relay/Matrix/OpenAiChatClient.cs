using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Integration.Relay.Matrix;

/// <summary>
/// The OpenAI SDK on <c>/v1/chat/completions</c>: <c>choices[].message</c> (content, tool_calls with JSON-string
/// arguments), <c>finish_reason</c>, <c>usage.prompt_tokens/completion_tokens/total_tokens</c>; a stream of
/// <c>data:</c> chat.completion.chunk objects ended by <c>data: [DONE]</c>, tool calls accumulated by
/// <c>delta.tool_calls[].index</c>; errors as <c>{"error":{"message","type","code"}}</c>.
/// </summary>
public sealed class OpenAiChatClient : IngressClient
{
    public override Ingress Kind => Ingress.OpenAi;
    public override string ConversionName => "OpenAI Compatible";
    public override string Path(string model, bool stream) => "/v1/chat/completions";
    protected override void Authorize(HttpRequestMessage request, string key) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
    public override string? ExpectedFinish(bool toolCall) => toolCall ? "tool_calls" : "stop";

    private static JsonObject Body(string model, bool stream, JsonArray messages)
    {
        var body = new JsonObject { ["model"] = model, ["messages"] = messages };
        if (stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }
        return body;
    }

    private static JsonArray Tools() => new(new JsonObject
    {
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = ToolName, ["description"] = ToolDescription, ["parameters"] = WeatherSchema() },
    });

    private static JsonObject User(JsonNode content) => new() { ["role"] = "user", ["content"] = content };

    public override JsonObject TextBody(string model, bool stream) => Body(model, stream, [User("hi")]);

    public override JsonObject ToolBody(string model, bool stream)
    {
        var body = Body(model, stream, [User(Question)]);
        body["tools"] = Tools();
        return body;
    }

    public override JsonObject ToolResultBody(string model, DecodedCall call)
    {
        var assistant = new JsonObject
        {
            ["role"] = "assistant", ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = call.Id, ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.RawArguments },
            }),
        };
        var tool = new JsonObject { ["role"] = "tool", ["tool_call_id"] = call.Id, ["content"] = ToolResult };
        var body = Body(model, false, [User(Question), assistant, tool]);
        body["tools"] = Tools();
        return body;
    }

    public override JsonObject ImageBody(string model) => Body(model, false,
    [
        User(new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = ImagePrompt },
            new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64," + PngBase64 } })),
    ]);

    public override Decoded DecodeJson(JsonElement body)
    {
        Assert.Equal("chat.completion", Str(body, "object"));
        Assert.False(string.IsNullOrEmpty(Str(body, "id")));
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        var message = choice.GetProperty("message");
        Assert.Equal("assistant", Str(message, "role"));
        var calls = new List<DecodedCall>();
        if (message.TryGetProperty("tool_calls", out var tc) && tc.ValueKind == JsonValueKind.Array)
            foreach (var c in tc.EnumerateArray())
            {
                Assert.Equal("function", Str(c, "type"));
                var f = c.GetProperty("function");
                calls.Add(Call(Str(c, "id")!, Str(f, "name")!, Str(f, "arguments")!));
            }
        var usage = body.GetProperty("usage");
        Assert.Equal(Num(usage, "prompt_tokens") + Num(usage, "completion_tokens"), Num(usage, "total_tokens"));
        return new Decoded(Str(message, "content") ?? "", Str(choice, "finish_reason"), Num(usage, "prompt_tokens"), Num(usage, "completion_tokens"), calls);
    }

    public override Decoded DecodeStream(List<SseFrame> frames)
    {
        Assert.Equal("[DONE]", frames[^1].Data);
        Assert.Single(frames, f => f.Data == "[DONE]");
        var text = new StringBuilder();
        string? finish = null;
        long? prompt = null, completion = null;
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args)>();
        foreach (var frame in frames.SkipLast(1))
        {
            Assert.Null(frame.Event);
            var chunk = frame.Json;
            Assert.Equal("chat.completion.chunk", Str(chunk, "object"));
            if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                (prompt, completion) = (Num(usage, "prompt_tokens"), Num(usage, "completion_tokens"));
            foreach (var choice in chunk.GetProperty("choices").EnumerateArray())
            {
                Assert.Equal(0, choice.GetProperty("index").GetInt32());
                if (!choice.TryGetProperty("delta", out var delta)) continue;
                // The SDK's stream helper reports content.done / tool_calls.function.arguments.done at finish_reason.
                if (finish is not null) Assert.True(delta.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Null), "delta after finish_reason: " + frame.Data);
                if (Str(choice, "finish_reason") is { } f) finish = f;
                if (Str(delta, "content") is { } piece) text.Append(piece);
                if (!delta.TryGetProperty("tool_calls", out var tcs) || tcs.ValueKind != JsonValueKind.Array) continue;
                foreach (var tc in tcs.EnumerateArray())
                {
                    var index = tc.GetProperty("index").GetInt32();
                    var acc = calls.TryGetValue(index, out var a) ? a : (null, null, new StringBuilder());
                    acc.Id ??= Str(tc, "id");
                    if (tc.TryGetProperty("function", out var fn))
                    {
                        acc.Name ??= Str(fn, "name");
                        acc.Args.Append(Str(fn, "arguments"));
                    }
                    calls[index] = acc;
                }
            }
        }
        var decoded = calls.Values.Select(c => Call(c.Id!, c.Name!, c.Args.ToString())).ToList();
        return new Decoded(text.ToString(), finish, prompt, completion, decoded);
    }

    public override string AssertError(JsonElement body, int status)
    {
        var error = body.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("code", out _));
        var message = Str(error, "message");
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }
}
