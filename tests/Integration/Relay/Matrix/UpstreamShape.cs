using System.Text.Json;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay.Matrix;

/// <summary>Assertions on what reached the fake provider, in the provider's own dialect (told by the path it was sent to).</summary>
public static class UpstreamShape
{
    private enum Dialect { Chat, Claude, Gemini, Responses }

    private static Dialect Of(RecordedRequest r) =>
        r.PathAndQuery.Contains("/chat/completions", StringComparison.Ordinal) ? Dialect.Chat
        : r.PathAndQuery.Contains("/messages", StringComparison.Ordinal) ? Dialect.Claude
        : r.PathAndQuery.Contains("/responses", StringComparison.Ordinal) ? Dialect.Responses
        : Dialect.Gemini;

    /// <summary>The upstream path a pair must use: the channel's dialect, or the native Responses route for Responses → OpenAI.</summary>
    public static string ExpectedPath(Ingress ingress, Egress egress, string model, bool stream) => egress switch
    {
        Egress.OpenAi => ingress == Ingress.Responses ? "/v1/responses" : "/v1/chat/completions",
        Egress.Claude => "/v1/messages",
        _ => $"/v1beta/models/{model}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent"),
    };

    private static JsonElement Prop(JsonElement e, string camel, string snake) =>
        e.TryGetProperty(camel, out var v) ? v : e.GetProperty(snake);

    private static bool Has(JsonElement e, string camel, string snake, out JsonElement v) =>
        e.TryGetProperty(camel, out v) || e.TryGetProperty(snake, out v);

    /// <summary>The conversation as the upstream received it: messages, contents or input items.</summary>
    private static JsonElement[] Turns(RecordedRequest r) => Of(r) switch
    {
        Dialect.Gemini => [.. r.Json.GetProperty("contents").EnumerateArray()],
        Dialect.Responses => [.. r.Json.GetProperty("input").EnumerateArray()],
        _ => [.. r.Json.GetProperty("messages").EnumerateArray()],
    };

    public static void AssertToolDeclared(RecordedRequest r)
    {
        var tools = r.Json.GetProperty("tools");
        var (name, schema) = Of(r) switch
        {
            Dialect.Chat => (tools[0].GetProperty("function").GetProperty("name"), tools[0].GetProperty("function").GetProperty("parameters")),
            Dialect.Claude => (tools[0].GetProperty("name"), tools[0].GetProperty("input_schema")),
            Dialect.Responses => (tools[0].GetProperty("name"), tools[0].GetProperty("parameters")),
            _ => GeminiDeclaration(Prop(tools[0], "functionDeclarations", "function_declarations")[0]),
        };
        Assert.Equal(IngressClient.ToolName, name.GetString());
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("city").GetProperty("type").GetString(), ignoreCase: true);
    }

    private static (JsonElement, JsonElement) GeminiDeclaration(JsonElement d) =>
        (d.GetProperty("name"), Has(d, "parameters", "parametersJsonSchema", out var p) ? p : Prop(d, "parametersJsonSchema", "parameters_json_schema"));

    /// <summary>The last turn is the tool's result, linked (by id, or by name for Gemini) to the call before it.</summary>
    public static void AssertToolResult(RecordedRequest r)
    {
        var turns = Turns(r);
        var (call, result) = (turns[^2], turns[^1]);
        switch (Of(r))
        {
            case Dialect.Chat:
                Assert.Equal("tool", result.GetProperty("role").GetString());
                var tc = Assert.Single(call.GetProperty("tool_calls").EnumerateArray());
                Assert.Equal(tc.GetProperty("id").GetString(), result.GetProperty("tool_call_id").GetString());
                AssertCall(tc.GetProperty("function").GetProperty("name"), RelayFixture.Parse(tc.GetProperty("function").GetProperty("arguments").GetString()!));
                break;
            case Dialect.Claude:
                var use = Assert.Single(call.GetProperty("content").EnumerateArray(), b => b.GetProperty("type").GetString() == "tool_use");
                var res = Assert.Single(result.GetProperty("content").EnumerateArray(), b => b.GetProperty("type").GetString() == "tool_result");
                Assert.Equal(use.GetProperty("id").GetString(), res.GetProperty("tool_use_id").GetString());
                AssertCall(use.GetProperty("name"), use.GetProperty("input"));
                break;
            case Dialect.Responses:
                Assert.Equal("function_call_output", result.GetProperty("type").GetString());
                Assert.Equal(call.GetProperty("call_id").GetString(), result.GetProperty("call_id").GetString());
                AssertCall(call.GetProperty("name"), RelayFixture.Parse(call.GetProperty("arguments").GetString()!));
                break;
            default:
                var fc = Assert.Single(call.GetProperty("parts").EnumerateArray(), p => Has(p, "functionCall", "function_call", out _));
                var fr = Assert.Single(result.GetProperty("parts").EnumerateArray(), p => Has(p, "functionResponse", "function_response", out _));
                var function = Prop(fc, "functionCall", "function_call");
                Assert.Equal("model", call.GetProperty("role").GetString());
                Assert.Equal(IngressClient.ToolName, Prop(fr, "functionResponse", "function_response").GetProperty("name").GetString());
                AssertCall(function.GetProperty("name"), function.GetProperty("args"));
                break;
        }
        Assert.Contains(IngressClient.ToolResult, result.GetRawText());
    }

    private static void AssertCall(JsonElement name, JsonElement args)
    {
        Assert.Equal(IngressClient.ToolName, name.GetString());
        Assert.Equal("Paris", args.GetProperty("city").GetString());
    }

    /// <summary>The client's base64 image arrived as the upstream's own image part, with the prompt beside it.</summary>
    public static void AssertImage(RecordedRequest r)
    {
        var last = Turns(r)[^1];
        var parts = Of(r) == Dialect.Gemini ? last.GetProperty("parts") : last.GetProperty("content");
        var dataUrl = "data:image/png;base64," + IngressClient.PngBase64;
        switch (Of(r))
        {
            case Dialect.Chat:
                Assert.Single(parts.EnumerateArray(), p => p.GetProperty("type").GetString() == "image_url"
                    && p.GetProperty("image_url").GetProperty("url").GetString() == dataUrl);
                break;
            case Dialect.Claude:
                var source = Assert.Single(parts.EnumerateArray(), p => p.GetProperty("type").GetString() == "image").GetProperty("source");
                Assert.Equal(("base64", "image/png", IngressClient.PngBase64),
                    (source.GetProperty("type").GetString(), source.GetProperty("media_type").GetString(), source.GetProperty("data").GetString()));
                break;
            case Dialect.Responses:
                Assert.Single(parts.EnumerateArray(), p => p.GetProperty("type").GetString() == "input_image" && p.GetProperty("image_url").GetString() == dataUrl);
                break;
            default:
                var inline = Prop(Assert.Single(parts.EnumerateArray(), p => Has(p, "inlineData", "inline_data", out _)), "inlineData", "inline_data");
                Assert.Equal(("image/png", IngressClient.PngBase64), (Prop(inline, "mimeType", "mime_type").GetString(), inline.GetProperty("data").GetString()));
                break;
        }
        Assert.Contains(IngressClient.ImagePrompt, parts.GetRawText());
    }
}
