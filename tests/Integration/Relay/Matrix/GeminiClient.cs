using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Integration.Relay.Matrix;

/// <summary>
/// The Gemini SDK on <c>/v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>
/// (<c>x-goog-api-key</c>): <c>candidates[0].content.parts[]</c> (text, functionCall with an <c>args</c> object),
/// <c>finishReason</c>, <c>usageMetadata.promptTokenCount/candidatesTokenCount/totalTokenCount</c>; a stream of bare
/// <c>data:</c> GenerateContentResponse objects; errors as <c>{"error":{"code","message","status"}}</c>.
/// </summary>
public sealed class GeminiClient : IngressClient
{
    public override Ingress Kind => Ingress.Gemini;
    public override string ConversionName => "Gemini";
    public override string? ExpectedFinish(bool toolCall) => "STOP";

    public override string Path(string model, bool stream) =>
        $"/v1beta/models/{model}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent");

    protected override void Authorize(HttpRequestMessage request, string key) => request.Headers.Add("x-goog-api-key", key);

    private static JsonObject Content(string role, params JsonNode[] parts) => new() { ["role"] = role, ["parts"] = new JsonArray(parts) };
    private static JsonObject Text(string text) => new() { ["text"] = text };

    private static JsonArray Tools() => new(new JsonObject
    {
        ["functionDeclarations"] = new JsonArray(new JsonObject { ["name"] = ToolName, ["description"] = ToolDescription, ["parameters"] = WeatherSchema() }),
    });

    public override JsonObject TextBody(string model, bool stream) => new() { ["contents"] = new JsonArray(Content("user", Text("hi"))) };

    public override JsonObject ToolBody(string model, bool stream) => new()
    {
        ["contents"] = new JsonArray(Content("user", Text(Question))), ["tools"] = Tools(),
    };

    public override JsonObject ToolResultBody(string model, DecodedCall call)
    {
        var functionCall = new JsonObject { ["name"] = call.Name, ["args"] = JsonNode.Parse(call.Arguments.GetRawText()) };
        var response = new JsonObject { ["name"] = call.Name, ["response"] = new JsonObject { ["result"] = ToolResult } };
        return new JsonObject
        {
            ["contents"] = new JsonArray(
                Content("user", Text(Question)),
                Content("model", new JsonObject { ["functionCall"] = functionCall }),
                Content("user", new JsonObject { ["functionResponse"] = response })),
            ["tools"] = Tools(),
        };
    }

    public override JsonObject ImageBody(string model) => new()
    {
        ["contents"] = new JsonArray(Content("user", Text(ImagePrompt),
            new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = "image/png", ["data"] = PngBase64 } })),
    };

    public override Decoded DecodeJson(JsonElement body)
    {
        var (text, finish, calls) = Candidate(body);
        var usage = body.GetProperty("usageMetadata");
        Assert.Equal(Num(usage, "promptTokenCount") + Num(usage, "candidatesTokenCount"), Num(usage, "totalTokenCount"));
        return new Decoded(text, finish, Num(usage, "promptTokenCount"), Num(usage, "candidatesTokenCount"), calls);
    }

    /// <summary>What the SDK's <c>response.text</c> and <c>response.function_calls</c> read: the first candidate's parts.</summary>
    private static (string Text, string? Finish, List<DecodedCall> Calls) Candidate(JsonElement response)
    {
        var text = new StringBuilder();
        var calls = new List<DecodedCall>();
        if (!response.TryGetProperty("candidates", out var candidates) || candidates.GetArrayLength() == 0) return ("", null, calls);
        var candidate = candidates[0];
        if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
        {
            Assert.Equal("model", Str(content, "role"));
            foreach (var part in parts.EnumerateArray())
            {
                if (Str(part, "text") is { } t && !(part.TryGetProperty("thought", out var th) && th.ValueKind == JsonValueKind.True)) text.Append(t);
                if (!part.TryGetProperty("functionCall", out var fc)) continue;
                Assert.Equal(JsonValueKind.Object, fc.GetProperty("args").ValueKind);
                calls.Add(Call(Str(fc, "id") ?? Str(fc, "name")!, Str(fc, "name")!, fc.GetProperty("args").GetRawText()));
            }
        }
        return (text.ToString(), Str(candidate, "finishReason"), calls);
    }

    public override Decoded DecodeStream(List<SseFrame> frames)
    {
        var text = new StringBuilder();
        var calls = new List<DecodedCall>();
        string? finish = null;
        long? prompt = null, completion = null;
        foreach (var frame in frames)
        {
            Assert.Null(frame.Event);
            var chunk = frame.Json;
            Assert.False(chunk.TryGetProperty("error", out _), "stream carried an error: " + frame.Data);
            var (t, f, c) = Candidate(chunk);
            text.Append(t);
            calls.AddRange(c);
            finish = f ?? finish;
            if (chunk.TryGetProperty("usageMetadata", out var usage))
                (prompt, completion) = (Num(usage, "promptTokenCount"), Num(usage, "candidatesTokenCount") ?? completion);
        }
        return new Decoded(text.ToString(), finish, prompt, completion, calls);
    }

    public override string AssertError(JsonElement body, int status)
    {
        var error = body.GetProperty("error");
        Assert.Equal(status, error.GetProperty("code").GetInt32());
        Assert.Equal(status switch { 429 => "RESOURCE_EXHAUSTED", 400 => "INVALID_ARGUMENT", _ => Str(error, "status") }, Str(error, "status"));
        var message = Str(error, "message");
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }
}
