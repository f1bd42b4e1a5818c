using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Claude;
using NewApi.Relay.Convert.Gemini;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.OpenAi;
using NewApi.Relay.Convert.Responses;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert;

/// <summary>Request conversion: one reader per client dialect, one writer per upstream dialect, meeting in <see cref="ConvRequest"/>.</summary>
internal static class RequestConverter
{
    public static ConvertedRequest Convert(WireFamily client, WireFamily upstream, JsonObject body, RequestOptions options)
    {
        if (client == upstream) return Passthrough(client, body, options);
        var req = Read(client, body, options);
        ReasoningMap.Apply(req, options.Reasoning);
        var ctx = new WriteContext(options, req);
        var output = upstream switch
        {
            WireFamily.Claude => ClaudeRequestWriter.Write(req, ctx),
            WireFamily.Gemini => GeminiRequestWriter.Write(req, ctx),
            WireFamily.Responses => ResponsesRequestWriter.Write(req, ctx),
            _ => OpenAiRequestWriter.Write(req, ctx),
        };
        return new ConvertedRequest(output, ctx.Model, req.Stream, ctx.Slots, req.Notes);
    }

    internal static ConvRequest Read(WireFamily client, JsonObject body, RequestOptions options)
    {
        var req = client switch
        {
            WireFamily.Claude => ClaudeRequestReader.Read(body),
            WireFamily.Gemini => GeminiRequestReader.Read(body, options.Model, options.Stream ?? false),
            WireFamily.Responses => ResponsesRequestReader.Read(body),
            _ => OpenAiRequestReader.Read(body),
        };
        if (options.Stream is { } stream) req.Stream = stream;
        return req;
    }

    /// <summary>Same dialect on both sides: the body goes as is, only the (mapped) model name is written.</summary>
    private static ConvertedRequest Passthrough(WireFamily family, JsonObject body, RequestOptions options)
    {
        var model = options.Model ?? J.Str(body, "model");
        if (family != WireFamily.Gemini && options.Model is not null) body["model"] = options.Model;
        var stream = options.Stream ?? J.Bool(body, "stream") ?? false;
        return new ConvertedRequest(body, model, stream, [], []);
    }
}
