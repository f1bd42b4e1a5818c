using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Integration.Relay.Matrix;

/// <summary>The client dialects the gateway serves.</summary>
public enum Ingress { OpenAi, Claude, Gemini, Responses }

/// <summary>The channel dialects behind it: OpenAI-compatible, Anthropic (type 14), Gemini (type 24).</summary>
public enum Egress { OpenAi, Claude, Gemini }

/// <summary>One tool call as the client's SDK exposes it; <see cref="Arguments"/> is the arguments parsed as JSON.</summary>
public sealed record DecodedCall(string Id, string Name, JsonElement Arguments, string RawArguments);

/// <summary>An answer as the client's SDK exposes it: text, finish reason, usage and tool calls.</summary>
public sealed record Decoded(string Text, string? Finish, long? PromptTokens, long? CompletionTokens, IReadOnlyList<DecodedCall> Calls);

/// <summary>One server-sent event: its <c>event:</c> name (null when absent) and its joined <c>data:</c> lines.</summary>
public sealed record SseFrame(string? Event, string Data)
{
    public JsonElement Json => RelayFixture.Parse(Data);

    /// <summary>Splits a body into events the way an SSE client does: blank-line separated, CRLF or LF, comments skipped.</summary>
    public static List<SseFrame> Parse(string body)
    {
        var frames = new List<SseFrame>();
        foreach (var block in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n"))
        {
            string? name = null;
            var data = new List<string>();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].TrimStart();
                else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Add(line[5..].StartsWith(' ') ? line[6..] : line[5..]);
            }
            if (name is not null || data.Count > 0) frames.Add(new SseFrame(name, string.Join('\n', data)));
        }
        return frames;
    }
}

/// <summary>
/// What an official SDK of one client dialect sends and reads: the request it builds (path, credentials header, body for a
/// text question, a tool declaration, a tool result, an image) and the fields it decodes from an answer, a stream and an error.
/// </summary>
public abstract class IngressClient
{
    public const string Question = "weather in Paris?";
    public const string ToolName = "get_weather";
    public const string ToolResult = "sunny, 21C";
    public const string ImagePrompt = "what is in this picture?";
    /// <summary>A 1×1 PNG.</summary>
    public const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    public const string ToolDescription = "Current weather of a city";

    protected static JsonObject WeatherSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } },
        ["required"] = new JsonArray((JsonNode)"city"),
    };

    public static IngressClient For(Ingress ingress) => ingress switch
    {
        Ingress.OpenAi => new OpenAiChatClient(),
        Ingress.Claude => new ClaudeClient(),
        Ingress.Gemini => new GeminiClient(),
        _ => new ResponsesClient(),
    };

    public abstract Ingress Kind { get; }
    public abstract string ConversionName { get; }

    public abstract string Path(string model, bool stream);
    protected abstract void Authorize(HttpRequestMessage request, string key);

    public abstract JsonObject TextBody(string model, bool stream);
    public abstract JsonObject ToolBody(string model, bool stream);
    /// <summary>The follow-up: the question, the assistant's tool call as the SDK echoes it back, and the tool's result.</summary>
    public abstract JsonObject ToolResultBody(string model, DecodedCall call);
    public abstract JsonObject ImageBody(string model);

    public abstract Decoded DecodeJson(JsonElement body);
    /// <summary>Decodes a stream event by event as the SDK's stream accumulator does, asserting the framing it relies on.</summary>
    public abstract Decoded DecodeStream(List<SseFrame> frames);
    /// <summary>Asserts the body is this dialect's error object for <paramref name="status"/>; returns its message.</summary>
    public abstract string AssertError(JsonElement body, int status);

    /// <summary>The finish reason (in the client's vocabulary) of a text answer and of a tool call.</summary>
    public abstract string? ExpectedFinish(bool toolCall);

    public async Task<HttpResponseMessage> SendAsync(HttpClient http, string key, string model, JsonObject body, bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path(model, stream))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        Authorize(request, key);
        if (stream) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await http.SendAsync(request);
    }

    protected static DecodedCall Call(string id, string name, string rawArguments)
    {
        var args = RelayFixture.Parse(rawArguments);
        Assert.Equal(JsonValueKind.Object, args.ValueKind);
        return new DecodedCall(id, name, args, rawArguments);
    }

    protected static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    protected static long? Num(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
}
