using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert;

/// <summary>
/// Token-count requests: Claude <c>/v1/messages/count_tokens</c>, Gemini <c>:countTokens</c>, OpenAI
/// <c>/v1/responses/input_tokens</c>. They carry the prompt part of a normal request, so they reuse the request mapping
/// and keep only the fields each count endpoint takes. OpenAI chat has no count endpoint (the pipeline estimates locally).
/// </summary>
internal static class CountTokensConverter
{
    private static readonly string[] ClaudeFields = ["model", "messages", "system", "tools", "tool_choice", "thinking"];

    public static ConvertedRequest Convert(WireFamily client, WireFamily upstream, JsonObject body, RequestOptions options)
    {
        if (client == WireFamily.OpenAiChat || upstream == WireFamily.OpenAiChat)
            throw new ConversionException("OpenAI chat has no token-count endpoint");
        if (client == WireFamily.Gemini && J.Obj(body, "generateContentRequest", "generate_content_request") is { } inner) body = inner;
        var converted = RequestConverter.Convert(client, upstream, body, options with { Stream = false });
        var full = converted.Body;
        JsonObject count;
        switch (upstream)
        {
            case WireFamily.Claude:
                count = new JsonObject();
                foreach (var key in ClaudeFields)
                    if (full[key] is { } value) count[key] = value.DeepClone();
                break;
            case WireFamily.Gemini:
                var request = new JsonObject { ["model"] = "models/" + (converted.Model ?? "") };
                foreach (var key in (string[])["contents", "systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config"])
                    if (full[key] is { } value) request[key] = value.DeepClone();
                count = new JsonObject { ["generateContentRequest"] = request };
                break;
            default:
                count = (JsonObject)full.DeepClone();
                count.Remove("stream");
                count.Remove("stream_options");
                break;
        }
        return new ConvertedRequest(count, converted.Model, false, converted.RemoteMedia, converted.Notes);
    }

    public static long Read(WireFamily upstream, JsonObject body) => upstream switch
    {
        WireFamily.Gemini => J.Long(body, "totalTokens", "total_tokens") ?? 0,
        _ => J.Long(body, "input_tokens") ?? 0,
    };

    public static JsonObject Write(WireFamily client, long tokens) => client switch
    {
        WireFamily.Gemini => new JsonObject { ["totalTokens"] = tokens },
        WireFamily.Responses => new JsonObject { ["object"] = "response.input_tokens", ["input_tokens"] = tokens },
        _ => new JsonObject { ["input_tokens"] = tokens },
    };
}
