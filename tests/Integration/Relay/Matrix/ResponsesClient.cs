using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Integration.Relay.Matrix;

/// <summary>
/// The OpenAI SDK on <c>/v1/responses</c>: a response object with <c>status</c>, <c>output[]</c> items (message with
/// output_text content, function_call with call_id/name/JSON-string arguments) and <c>usage.input_tokens/output_tokens/
/// total_tokens</c>; a stream of <c>event: response.*</c> whose name equals the data's <c>type</c>, accumulated the
/// way the SDK's stream state does (items by output_index, parts by content_index, increasing sequence_number), ending
/// in response.completed; errors in the OpenAI shape.
/// </summary>
public sealed class ResponsesClient : IngressClient
{
    public override Ingress Kind => Ingress.Responses;
    public override string ConversionName => "OpenAI Responses";
    public override string Path(string model, bool stream) => "/v1/responses";
    protected override void Authorize(HttpRequestMessage request, string key) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
    public override string? ExpectedFinish(bool toolCall) => "completed";

    private static JsonObject Body(string model, bool stream, JsonNode input)
    {
        var body = new JsonObject { ["model"] = model, ["input"] = input };
        if (stream) body["stream"] = true;
        return body;
    }

    private static JsonArray Tools() => new(new JsonObject
    {
        ["type"] = "function", ["name"] = ToolName, ["description"] = ToolDescription, ["parameters"] = WeatherSchema(),
    });

    private static JsonObject User(JsonNode content) => new() { ["role"] = "user", ["content"] = content };

    public override JsonObject TextBody(string model, bool stream) => Body(model, stream, "hi");

    public override JsonObject ToolBody(string model, bool stream)
    {
        var body = Body(model, stream, new JsonArray(User(Question)));
        body["tools"] = Tools();
        return body;
    }

    public override JsonObject ToolResultBody(string model, DecodedCall call)
    {
        var body = Body(model, false, new JsonArray(
            User(Question),
            new JsonObject { ["type"] = "function_call", ["call_id"] = call.Id, ["name"] = call.Name, ["arguments"] = call.RawArguments },
            new JsonObject { ["type"] = "function_call_output", ["call_id"] = call.Id, ["output"] = ToolResult }));
        body["tools"] = Tools();
        return body;
    }

    public override JsonObject ImageBody(string model) => Body(model, false, new JsonArray(User(new JsonArray(
        new JsonObject { ["type"] = "input_text", ["text"] = ImagePrompt },
        new JsonObject { ["type"] = "input_image", ["image_url"] = "data:image/png;base64," + PngBase64 }))));

    public override Decoded DecodeJson(JsonElement body)
    {
        Assert.Equal("response", Str(body, "object"));
        Assert.False(string.IsNullOrEmpty(Str(body, "id")));
        var (text, calls) = Output(body.GetProperty("output"));
        var usage = body.GetProperty("usage");
        Assert.Equal(Num(usage, "input_tokens") + Num(usage, "output_tokens"), Num(usage, "total_tokens"));
        return new Decoded(text, Str(body, "status"), Num(usage, "input_tokens"), Num(usage, "output_tokens"), calls);
    }

    /// <summary>The SDK's <c>output_text</c> (every output_text part of every message item) and its function_call items.</summary>
    private static (string Text, List<DecodedCall> Calls) Output(JsonElement output)
    {
        var text = new StringBuilder();
        var calls = new List<DecodedCall>();
        foreach (var item in output.EnumerateArray())
        {
            switch (Str(item, "type"))
            {
                case "message":
                    foreach (var part in item.GetProperty("content").EnumerateArray())
                        if (Str(part, "type") == "output_text") text.Append(Str(part, "text"));
                    break;
                case "function_call":
                    calls.Add(Call(Str(item, "call_id")!, Str(item, "name")!, Str(item, "arguments")!));
                    break;
            }
        }
        return (text.ToString(), calls);
    }

    public override Decoded DecodeStream(List<SseFrame> frames)
    {
        Assert.Equal("response.created", frames[0].Event);
        Assert.Equal("response.completed", frames[^1].Event);
        var items = new List<JsonObject>();
        long sequence = -1;
        JsonElement completed = default;
        foreach (var frame in frames)
        {
            var data = frame.Json;
            Assert.Equal(frame.Event, Str(data, "type"));
            if (Num(data, "sequence_number") is { } n)
            {
                Assert.True(n > sequence, $"sequence_number {n} after {sequence}");
                sequence = n;
            }
            Apply(frame.Event!, data, items);
            if (frame.Event == "response.completed") completed = data.GetProperty("response");
        }
        var accumulated = RelayFixture.Parse(new JsonArray([.. items.Select(i => (JsonNode)i)]).ToJsonString());
        var (text, calls) = Output(accumulated);
        var final = DecodeJson(completed);
        Assert.Equal(final.Text, text);
        Assert.Equal(final.Calls.Select(c => (c.Id, c.Name, c.RawArguments)), calls.Select(c => (c.Id, c.Name, c.RawArguments)));
        return final with { Text = text, Calls = calls };
    }

    /// <summary>One event applied to the output snapshot, as the SDK's ResponseStreamState does.</summary>
    private static void Apply(string type, JsonElement data, List<JsonObject> items)
    {
        switch (type)
        {
            case "response.output_item.added":
                Assert.Equal(items.Count, data.GetProperty("output_index").GetInt32());
                items.Add(JsonNode.Parse(data.GetProperty("item").GetRawText())!.AsObject());
                break;
            case "response.output_item.done":
                items[data.GetProperty("output_index").GetInt32()] = JsonNode.Parse(data.GetProperty("item").GetRawText())!.AsObject();
                break;
            case "response.content_part.added":
                var message = items[data.GetProperty("output_index").GetInt32()];
                Assert.Equal("message", message["type"]!.GetValue<string>());
                var content = message["content"]!.AsArray();
                Assert.Equal(content.Count, data.GetProperty("content_index").GetInt32());
                content.Add(JsonNode.Parse(data.GetProperty("part").GetRawText()));
                break;
            case "response.output_text.delta":
                var part = items[data.GetProperty("output_index").GetInt32()]["content"]![data.GetProperty("content_index").GetInt32()]!;
                Assert.Equal("output_text", part["type"]!.GetValue<string>());
                part["text"] = part["text"]!.GetValue<string>() + Str(data, "delta");
                break;
            case "response.function_call_arguments.delta":
                var call = items[data.GetProperty("output_index").GetInt32()];
                Assert.Equal("function_call", call["type"]!.GetValue<string>());
                call["arguments"] = (call["arguments"]?.GetValue<string>() ?? "") + Str(data, "delta");
                break;
            case "error" or "response.failed":
                Assert.Fail("stream carried an error: " + data.GetRawText());
                break;
        }
    }

    public override string AssertError(JsonElement body, int status) => new OpenAiChatClient().AssertError(body, status);
}
