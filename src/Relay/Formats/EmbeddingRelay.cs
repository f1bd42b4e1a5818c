using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NewApi.Billing;
using NewApi.Relay.Adapters;
using NewApi.Relay.Adapters.OpenAi;
using NewApi.Relay.Convert;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;
using NewApi.Relay.Upstream;

namespace NewApi.Relay.Formats;

/// <summary>
/// One embeddings attempt that the channel's adapter does not serve as is: a Gemini embed request to a Gemini channel
/// (<c>/v1beta/models/{model}:embedContent|batchEmbedContents</c>, <c>x-goog-api-key</c>), a Gemini embed request to
/// an OpenAI-compatible channel (<c>/v1/embeddings</c>), or an OpenAI embeddings request to a Gemini channel
/// (<c>:batchEmbedContents</c>). Model mapping, param_override and header_override apply as on every route. The
/// answer is read whole and written in the client's shape; usage is the upstream's when it reports one (else billing
/// falls back to the local estimate).
/// </summary>
public static class EmbeddingRelay
{
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxJsonBody = 256 * 1024 * 1024;

    public static (UpstreamCall? Call, RelayError? Error) Build(RelayContext rc, UpstreamTarget target, WireFamily client, WireFamily upstream)
    {
        var runtime = target.Runtime;
        var kind = rc.Request.Kind;
        var (model, mapError) = ModelMapper.Map(rc.Request.Model, runtime.ModelMapping, runtime.ModelMappingInvalid);
        if (mapError is not null) return (null, mapError);
        JsonObject body;
        Uri uri;
        try
        {
            if (upstream == WireFamily.Gemini && client == WireFamily.Gemini)
            {
                if (JsonNode.Parse(rc.Body.Span) is not JsonObject json) return (null, RelayError.BadRequest("invalid request body"));
                body = EmbeddingConverter.GeminiNativeRequest(kind, json, model);
                uri = ChatUpstream.GeminiUri(target, model, kind == RouteKind.GeminiEmbed ? "embedContent" : "batchEmbedContents");
            }
            else if (upstream == WireFamily.Gemini)
            {
                body = EmbeddingConverter.OpenAiToGeminiRequest(rc.Request.Root, model);
                uri = ChatUpstream.GeminiUri(target, model, "batchEmbedContents");
            }
            else
            {
                body = EmbeddingConverter.GeminiToOpenAiRequest(kind, rc.Request.Root, model);
                uri = OpenAiAdapter.Instance.BuildUri(target, RouteKind.Embeddings, "/v1/embeddings", model);
            }
        }
        catch (ConversionException e)
        {
            return (null, RelayError.BadRequest(e.Message, ErrorCodes.ConvertRequestFailed));
        }
        if (ParamOverride.Apply(body, runtime.ParamOverride, runtime.ParamOverrideInvalid, rc.Request.Model) is { } poError) return (null, poError);
        var content = new ByteArrayContent(UpstreamRequestBuilder.Serialize(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Headers.Accept.Add(ChatUpstream.Accept(false));
        ChatUpstream.ApplyAuth(upstream, message, target, rc.Http.Request.Headers);
        if (HeaderOverride.Apply(message, runtime.HeaderOverride, runtime.HeaderOverrideInvalid, rc.Http.Request.Headers, target.Key) is { } hoError)
        {
            message.Dispose();
            return (null, hoError);
        }
        return (new UpstreamCall(message, model, false), null);
    }

    /// <summary>Writes the answer in the client's shape; an error (HTTP or in a 200 body) is returned untouched for the retry decision.</summary>
    public static async Task<AttemptOutcome> RelayAsync(RelayContext rc, HttpResponseMessage response, WireFamily client, WireFamily upstream,
        CancellationToken ct)
    {
        var upstreamId = response.Headers.TryGetValues("X-Oneapi-Request-Id", out var ids) ? ids.FirstOrDefault() ?? "" : "";
        byte[] bytes;
        bool truncated;
        try
        {
            (bytes, truncated) = await ReadAsync(response, response.IsSuccessStatusCode ? MaxJsonBody : MaxErrorBody, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new AttemptOutcome { ClientGone = true };
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return new AttemptOutcome { Error = ResponseRelay.ReadFailed() };
        }
        if (!response.IsSuccessStatusCode)
            return new AttemptOutcome { Error = UpstreamErrorParser.Parse((int)response.StatusCode, bytes), UpstreamRequestId = upstreamId };
        if (truncated)
            return new AttemptOutcome { Error = RelayError.Local(502, "upstream response too large", ErrorCodes.ReadResponseBodyFailed, skipRetry: true) };
        var answer = Parse(bytes);
        if (answer is null)
            return new AttemptOutcome { Error = RelayError.Local(502, "upstream answered with an unreadable body", ErrorCodes.BadResponseBody, skipRetry: false) };
        if (answer["error"] is JsonObject) return new AttemptOutcome { Error = UpstreamErrorParser.Parse(200, bytes), UpstreamRequestId = upstreamId };
        return await AnswerAsync(rc, response, answer, bytes, client, upstream, ct) with { UpstreamRequestId = upstreamId };
    }

    /// <summary>The upstream's bytes as they are (same dialect) or converted; usage is what the upstream reported, if anything.</summary>
    private static async Task<AttemptOutcome> AnswerAsync(RelayContext rc, HttpResponseMessage response, JsonObject answer, byte[] bytes,
        WireFamily client, WireFamily upstream, CancellationToken ct)
    {
        var reported = EmbeddingConverter.ReportedPromptTokens(answer);
        var http = rc.Http.Response;
        ReadOnlyMemory<byte> output = bytes;
        if (client == upstream)
        {
            http.StatusCode = (int)response.StatusCode;
            ResponseRelay.CopyHeaders(response, http);
        }
        else
        {
            try
            {
                var converted = client == WireFamily.Gemini
                    ? EmbeddingConverter.OpenAiToGeminiResponse(rc.Request.Kind, answer)
                    : EmbeddingConverter.GeminiToOpenAiResponse(answer, rc.Request.Model, reported > 0 ? reported : rc.PromptEstimate);
                output = UpstreamRequestBuilder.Serialize(converted);
            }
            catch (ConversionException e)
            {
                return new AttemptOutcome { Error = RelayError.Local(502, e.Message, ErrorCodes.BadResponseBody, skipRetry: true) };
            }
            http.StatusCode = StatusCodes.Status200OK;
            http.ContentType = "application/json";
        }
        http.ContentLength = output.Length;
        var gone = false;
        try
        {
            await http.Body.WriteAsync(output, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            gone = true;   // the upstream did the work: billed although the client left while it was written
        }
        return new AttemptOutcome
        {
            Started = true, ClientGone = gone,
            UpstreamUsage = reported > 0 ? new UsageCounts { PromptTokens = reported } : null,
        };
    }

    private static JsonObject? Parse(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<(byte[] Bytes, bool Truncated)> ReadAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var copy = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (copy.Length + read > max) return (copy.ToArray(), true);
                copy.Write(chunk, 0, read);
            }
            return (copy.ToArray(), false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

}
