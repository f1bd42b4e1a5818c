using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Integration.Relay.Matrix;

/// <summary>
/// The Anthropic SDK on <c>/v1/messages</c> (<c>x-api-key</c>, <c>anthropic-version</c>): a message with typed content
/// blocks (text, tool_use with an <c>input</c> object), <c>stop_reason</c>, <c>usage.input_tokens/output_tokens</c>; a
/// stream whose <c>event:</c> names equal the data's <c>type</c>, from message_start to message_stop, accumulated the way
/// its MessageStream does (content_block_start at the next index, deltas by index, input_json_delta joined and parsed);
/// errors as <c>{"type":"error","error":{"type","message"}}</c>.
/// </summary>
public sealed class ClaudeClient : IngressClient
{
    public override Ingress Kind => Ingress.Claude;
    public override string ConversionName => "Claude Messages";
    public override string Path(string model, bool stream) => "/v1/messages";
    public override string? ExpectedFinish(bool toolCall) => toolCall ? "tool_use" : "end_turn";

    protected override void Authorize(HttpRequestMessage request, string key)
    {
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");
    }

    private static JsonObject Body(string model, bool stream, JsonArray messages)
    {
        var body = new JsonObject { ["model"] = model, ["max_tokens"] = 256, ["messages"] = messages };
        if (stream) body["stream"] = true;
        return body;
    }

    private static JsonArray Tools() => new(new JsonObject { ["name"] = ToolName, ["description"] = ToolDescription, ["input_schema"] = WeatherSchema() });

    private static JsonObject Message(string role, JsonNode content) => new() { ["role"] = role, ["content"] = content };

    public override JsonObject TextBody(string model, bool stream) => Body(model, stream, [Message("user", "hi")]);

    public override JsonObject ToolBody(string model, bool stream)
    {
        var body = Body(model, stream, [Message("user", Question)]);
        body["tools"] = Tools();
        return body;
    }

    public override JsonObject ToolResultBody(string model, DecodedCall call)
    {
        var use = new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.Arguments.GetRawText()) };
        var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = call.Id, ["content"] = ToolResult };
        var body = Body(model, false, [Message("user", Question), Message("assistant", new JsonArray(use)), Message("user", new JsonArray(result))]);
        body["tools"] = Tools();
        return body;
    }

    public override JsonObject ImageBody(string model) => Body(model, false,
    [
        Message("user", new JsonArray(
            new JsonObject
            {
                ["type"] = "image",
                ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = PngBase64 },
            },
            new JsonObject { ["type"] = "text", ["text"] = ImagePrompt })),
    ]);

    public override Decoded DecodeJson(JsonElement body)
    {
        Assert.Equal("message", Str(body, "type"));
        Assert.Equal("assistant", Str(body, "role"));
        Assert.False(string.IsNullOrEmpty(Str(body, "id")));
        var text = new StringBuilder();
        var calls = new List<DecodedCall>();
        foreach (var block in body.GetProperty("content").EnumerateArray())
        {
            switch (Str(block, "type"))
            {
                case "text":
                    text.Append(Str(block, "text"));
                    break;
                case "tool_use":
                    Assert.Equal(JsonValueKind.Object, block.GetProperty("input").ValueKind);
                    calls.Add(Call(Str(block, "id")!, Str(block, "name")!, block.GetProperty("input").GetRawText()));
                    break;
            }
        }
        var usage = body.GetProperty("usage");
        return new Decoded(text.ToString(), Str(body, "stop_reason"), Num(usage, "input_tokens"), Num(usage, "output_tokens"), calls);
    }

    public override Decoded DecodeStream(List<SseFrame> frames)
    {
        Assert.Equal("message_start", frames[0].Event);
        Assert.Equal("message_stop", frames[^1].Event);
        var blocks = new List<(string Type, string? Id, string? Name, StringBuilder Buffer)>();
        var open = new HashSet<int>();
        string? stop = null;
        long? input = null, output = null;
        foreach (var frame in frames)
        {
            var data = frame.Json;
            Assert.Equal(frame.Event, Str(data, "type"));
            if (stop is not null) Assert.True(frame.Event is "message_stop" or "ping", frame.Event + " after message_delta");
            switch (frame.Event)
            {
                case "message_start":
                    var message = data.GetProperty("message");
                    Assert.Equal("message", Str(message, "type"));
                    Assert.Equal("assistant", Str(message, "role"));
                    Assert.Equal(0, message.GetProperty("content").GetArrayLength());
                    input = Num(message.GetProperty("usage"), "input_tokens");
                    break;
                case "content_block_start":
                    var index = data.GetProperty("index").GetInt32();
                    Assert.Equal(blocks.Count, index);
                    var cb = data.GetProperty("content_block");
                    blocks.Add((Str(cb, "type")!, Str(cb, "id"), Str(cb, "name"), new StringBuilder()));
                    open.Add(index);
                    break;
                case "content_block_delta":
                    var at = data.GetProperty("index").GetInt32();
                    Assert.Contains(at, open);
                    var delta = data.GetProperty("delta");
                    var (type, piece) = Str(delta, "type") switch
                    {
                        "text_delta" => ("text", Str(delta, "text")),
                        "input_json_delta" => ("tool_use", Str(delta, "partial_json")),
                        var other => (other, ""),
                    };
                    Assert.Equal(blocks[at].Type, type);
                    blocks[at].Buffer.Append(piece);
                    break;
                case "content_block_stop":
                    Assert.True(open.Remove(data.GetProperty("index").GetInt32()));
                    break;
                case "message_delta":
                    stop = Str(data.GetProperty("delta"), "stop_reason");
                    output = Num(data.GetProperty("usage"), "output_tokens");
                    input = Num(data.GetProperty("usage"), "input_tokens") ?? input;
                    break;
                case "error":
                    Assert.Fail("stream carried an error: " + frame.Data);
                    break;
            }
        }
        Assert.Empty(open);
        var text = string.Concat(blocks.Where(b => b.Type == "text").Select(b => b.Buffer.ToString()));
        var calls = blocks.Where(b => b.Type == "tool_use").Select(b => Call(b.Id!, b.Name!, b.Buffer.Length == 0 ? "{}" : b.Buffer.ToString())).ToList();
        return new Decoded(text, stop, input, output, calls);
    }

    public override string AssertError(JsonElement body, int status)
    {
        Assert.Equal("error", Str(body, "type"));
        var error = body.GetProperty("error");
        Assert.Equal(status switch { 429 => "rate_limit_error", 400 => "invalid_request_error", _ => Str(error, "type") }, Str(error, "type"));
        var message = Str(error, "message");
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }
}
