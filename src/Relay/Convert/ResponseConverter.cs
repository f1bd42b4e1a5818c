using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Claude;
using NewApi.Relay.Convert.Gemini;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.OpenAi;
using NewApi.Relay.Convert.Responses;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert;

/// <summary>Non-stream response conversion: one reader per upstream dialect, one writer per client dialect.</summary>
internal static class ResponseConverter
{
    public static ConvertedResponse Convert(WireFamily upstream, WireFamily client, JsonObject body, ResponseOptions options)
    {
        var r = Read(upstream, body);
        if (client == upstream) return new ConvertedResponse(body, r.Usage, r.Stop);
        return new ConvertedResponse(Write(client, r, options), r.Usage, r.Stop);
    }

    public static ConvResponse Read(WireFamily upstream, JsonObject body) => upstream switch
    {
        WireFamily.Claude => ClaudeResponseCodec.Read(body),
        WireFamily.Gemini => GeminiResponseCodec.Read(body),
        WireFamily.Responses => ResponsesResponseCodec.Read(body),
        _ => OpenAiResponseCodec.Read(body),
    };

    public static JsonObject Write(WireFamily client, ConvResponse r, ResponseOptions options) => client switch
    {
        WireFamily.Claude => ClaudeResponseCodec.Write(r, options),
        WireFamily.Gemini => GeminiResponseCodec.Write(r, options),
        WireFamily.Responses => Announce(ResponsesResponseCodec.Write(r, options), options),
        _ => OpenAiResponseCodec.Write(r, options),
    };

    private static JsonObject Announce(JsonObject response, ResponseOptions options)
    {
        options.OnResponse?.Invoke(response);
        return response;
    }

    public static TokenUsage ReadUsage(WireFamily family, JsonObject body) => family switch
    {
        WireFamily.Gemini => UsageCodec.FromGemini(J.Obj(body, "usageMetadata", "usage_metadata")),
        _ => UsageCodec.Read(family, J.Obj(body, "usage")),
    };
}
