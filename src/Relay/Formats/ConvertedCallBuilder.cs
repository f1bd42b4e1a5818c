using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Adapters;
using NewApi.Relay.Convert;
using NewApi.Relay.Errors;
using NewApi.Relay.Http;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Upstream;

namespace NewApi.Relay.Formats;

/// <summary>
/// Builds the upstream request of a converted attempt (relay.md §2.7, §4): model mapping, the client's body converted
/// to the channel's dialect (reasoning suffixes honoured for Claude and Gemini channels), remote media the upstream
/// cannot fetch downloaded through the SSRF-guarded client and inlined, the channel's system prompt and
/// param_override on the converted body, then URL, credentials and header_override.
/// </summary>
public sealed class ConvertedCallBuilder(OutboundHttp http, NewApi.Relay.Routing.ConvertedResponseStore responses)
{
    private const int MaxMediaBytes = 20 * 1024 * 1024;

    /// <returns>The call, and the client's body as parsed (left untouched by a cross-dialect conversion; Responses answers echo it).</returns>
    public async Task<(UpstreamCall? Call, JsonObject? ClientBody, RelayError? Error)> BuildAsync(RelayContext rc, UpstreamTarget target,
        WireFamily client, WireFamily upstream, CancellationToken ct)
    {
        var runtime = target.Runtime;
        var (model, mapError) = ModelMapper.Map(rc.Request.Model, runtime.ModelMapping, runtime.ModelMappingInvalid);
        if (mapError is not null) return (null, null, mapError);
        if (JsonNode.Parse(rc.Body.Span) is not JsonObject body) return (null, null, RelayError.BadRequest("invalid request body"));
        // previous_response_id and item references name answers this gateway converted earlier: resolved here.
        if (client == WireFamily.Responses && responses.Expand(rc.Caller.User.Id, body) is { } stateError) return (null, null, stateError);
        ReasoningOverride? reasoning = null;
        var upstreamModel = upstream is WireFamily.Claude or WireFamily.Gemini ? ReasoningSuffix.Strip(model, out reasoning) : model;
        ConvertedRequest converted;
        try
        {
            converted = FormatConverter.ConvertRequest(client, upstream, body, new RequestOptions
            {
                Model = upstreamModel, Stream = rc.Request.Stream, Reasoning = reasoning,
                ForceStreamUsage = target.Profile.StreamOptions,
            });
            var mediaError = await FillMediaAsync(converted.RemoteMedia, ct);
            if (mediaError is not null) return (null, null, mediaError);
        }
        catch (ConversionException e)
        {
            return (null, null, RelayError.BadRequest(e.Message, ErrorCodes.ConvertRequestFailed));
        }
        catch (Exception e) when (ConvertedRelay.IsConversionFault(e))
        {
            // A field of the wrong shape deep inside the body (the converters read JSON nodes as the dialect defines them).
            return (null, null, RelayError.BadRequest("invalid request body: a field has the wrong type for this API", ErrorCodes.ConvertRequestFailed));
        }
        var json = converted.Body;
        var overwritten = upstream == WireFamily.OpenAiChat && runtime.SystemPrompt is { } prompt && SystemPrompt.Apply(json, prompt, runtime.SystemPromptOverride);
        if (ParamOverride.Apply(json, runtime.ParamOverride, runtime.ParamOverrideInvalid, rc.Request.Model) is { } poError) return (null, null, poError);
        var content = new ByteArrayContent(UpstreamRequestBuilder.Serialize(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var message = new HttpRequestMessage(HttpMethod.Post, ChatUpstream.Uri(upstream, target, converted.Model ?? upstreamModel, converted.Stream, rc.Http.Request))
        {
            Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Headers.Accept.Add(ChatUpstream.Accept(converted.Stream));
        ChatUpstream.ApplyAuth(upstream, message, target, rc.Http.Request.Headers);
        if (HeaderOverride.Apply(message, runtime.HeaderOverride, runtime.HeaderOverrideInvalid, rc.Http.Request.Headers, target.Key) is { } hoError)
        {
            message.Dispose();
            return (null, null, hoError);
        }
        return (new UpstreamCall(message, model, overwritten), body, null);
    }

    /// <summary>Downloads each remote medium (bounded, SSRF-checked) and inlines it; a failure is the client's 400.</summary>
    private async Task<RelayError?> FillMediaAsync(IReadOnlyList<MediaSlot> slots, CancellationToken ct)
    {
        foreach (var slot in slots)
        {
            try
            {
                using var response = await http.Guarded.GetAsync(slot.Url, HttpCompletionOption.ResponseHeadersRead, ct);
                if (!response.IsSuccessStatusCode)
                    return RelayError.BadRequest($"failed to fetch {slot.Kind} {slot.Url}: status {(int)response.StatusCode}", ErrorCodes.ConvertRequestFailed);
                if (response.Content.Headers.ContentLength is > MaxMediaBytes) return TooLarge(slot);
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                using var copy = new MemoryStream((int)Math.Min(response.Content.Headers.ContentLength ?? 64 * 1024, MaxMediaBytes));
                var chunk = new byte[64 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, ct)) > 0)
                {
                    if (copy.Length + read > MaxMediaBytes) return TooLarge(slot);
                    copy.Write(chunk, 0, read);
                }
                slot.Fill(copy.GetBuffer().AsSpan(0, (int)copy.Length), response.Content.Headers.ContentType?.ToString());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return RelayError.BadRequest($"failed to fetch {slot.Kind} {slot.Url}", ErrorCodes.ConvertRequestFailed);
            }
        }
        return null;
    }

    private static RelayError TooLarge(MediaSlot slot) =>
        RelayError.BadRequest($"{slot.Kind} {slot.Url} is larger than {MaxMediaBytes / (1024 * 1024)} MB", ErrorCodes.ConvertRequestFailed);

}
