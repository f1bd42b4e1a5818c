using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Claude;
using NewApi.Relay.Convert.Gemini;
using NewApi.Relay.Convert.OpenAi;
using NewApi.Relay.Convert.Responses;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert;

/// <summary>
/// Entry point of the format converters between OpenAI chat, Claude Messages, Gemini generateContent and OpenAI
/// Responses. Pure functions over <see cref="JsonObject"/>: no HTTP, no I/O, no DI. Every pair goes through one
/// dialect-neutral model (one reader and one writer per dialect), shared by the request, response and stream paths.
/// Same-dialect calls pass bodies through unchanged (the stream translator still reads usage).
/// </summary>
public static class FormatConverter
{
    /// <summary>
    /// Client request body → upstream request body. Throws <see cref="ConversionException"/> when the request cannot be
    /// expressed upstream. Remote media the upstream cannot fetch are listed in <see cref="ConvertedRequest.RemoteMedia"/>.
    /// The input body may be reused (same dialect) or left untouched (otherwise).
    /// </summary>
    public static ConvertedRequest ConvertRequest(WireFamily client, WireFamily upstream, JsonObject body, RequestOptions? options = null) =>
        RequestConverter.Convert(client, upstream, body, options ?? RequestOptions.Default);

    /// <summary>Upstream non-stream response body → client body, with the usage and stop reason it reported.</summary>
    public static ConvertedResponse ConvertResponse(WireFamily upstream, WireFamily client, JsonObject body, ResponseOptions? options = null) =>
        ResponseConverter.Convert(upstream, client, body, options ?? ResponseOptions.Default);

    /// <summary>A stateful translator for one streamed response from <paramref name="upstream"/> to <paramref name="client"/>.</summary>
    public static StreamTranslator CreateStreamTranslator(WireFamily upstream, WireFamily client, ResponseOptions? options = null)
    {
        options ??= ResponseOptions.Default;
        IStreamDecoder decoder = upstream switch
        {
            WireFamily.Claude => new ClaudeStreamDecoder(),
            WireFamily.Gemini => new GeminiStreamDecoder(),
            WireFamily.Responses => new ResponsesStreamDecoder(),
            _ => new OpenAiStreamDecoder(),
        };
        StreamEncoder encoder = upstream == client ? new PassthroughEncoder(client) : client switch
        {
            WireFamily.Claude => new ClaudeStreamEncoder(),
            WireFamily.Gemini => new GeminiStreamEncoder(),
            WireFamily.Responses => new ResponsesStreamEncoder(),
            _ => new OpenAiStreamEncoder(),
        };
        return new StreamTranslator(upstream, client, decoder, encoder, options);
    }

    /// <summary>Usage of a non-stream response body in its own dialect (for passthrough billing).</summary>
    public static TokenUsage ReadUsage(WireFamily family, JsonObject body) => ResponseConverter.ReadUsage(family, body);

    /// <summary>
    /// Token-count request (Claude <c>count_tokens</c>, Gemini <c>countTokens</c>, Responses <c>input_tokens</c>) for
    /// another dialect's count endpoint. Throws <see cref="ConversionException"/> for OpenAI chat, which has none.
    /// </summary>
    public static ConvertedRequest ConvertCountTokensRequest(WireFamily client, WireFamily upstream, JsonObject body, RequestOptions? options = null) =>
        CountTokensConverter.Convert(client, upstream, body, options ?? RequestOptions.Default);

    /// <summary>Upstream token-count response → the client's count response (<c>input_tokens</c> / <c>totalTokens</c>).</summary>
    public static JsonObject ConvertCountTokensResponse(WireFamily upstream, WireFamily client, JsonObject body) =>
        CountTokensConverter.Write(client, CountTokensConverter.Read(upstream, body));

    /// <summary>Upstream error body → error body in the client's dialect (status kept in <see cref="UpstreamError.Status"/>).</summary>
    public static JsonObject ConvertError(WireFamily upstream, WireFamily client, int status, ReadOnlySpan<byte> body) =>
        ErrorConverter.ToBody(client, ErrorConverter.Parse(upstream, status, body));
}
