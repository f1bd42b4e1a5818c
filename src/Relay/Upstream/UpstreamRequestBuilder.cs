using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Adapters;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Upstream;

/// <summary>What one attempt sends, and the facts about it that go into the consume log.</summary>
public sealed record UpstreamCall(HttpRequestMessage Request, string UpstreamModel, bool SystemPromptOverwritten);

/// <summary>
/// Builds the upstream request of one attempt (relay.md §2.7): model mapping, then either the client's bytes as they
/// are (pass-through, or nothing to change) or the body rewritten as JSON — model, channel system prompt, the
/// adapter's family rules, param_override — then URL and credentials from the adapter and header_override last.
/// </summary>
public static class UpstreamRequestBuilder
{
    public static (UpstreamCall? Call, RelayError? Error) Build(HttpContext ctx, RelayRequest request, RequestBody body, IProviderAdapter adapter,
        UpstreamTarget target, bool forceStreamUsage)
    {
        var runtime = target.Runtime;
        var (model, mapError) = ModelMapper.Map(request.Model, runtime.ModelMapping, runtime.ModelMappingInvalid);
        if (mapError is not null) return (null, mapError);
        HttpContent content;
        var overwritten = false;
        var unchanged = model == request.Model && runtime.ParamOverride is null && !runtime.ParamOverrideInvalid && runtime.SystemPrompt is null
                        && adapter.BodyUnchanged(target, request, forceStreamUsage);
        if (request.Form is { } form) content = form.CreateContent(request.Kind, model);
        else if (runtime.PassThroughBody || unchanged) content = new ReadOnlyMemoryContent(body.Memory);
        else
        {
            if (JsonNode.Parse(body.Span) is not JsonObject json) return (null, RelayError.BadRequest("invalid request body"));
            if (request.Model.Length > 0) json["model"] = JsonValue.Create(model);
            if (runtime.SystemPrompt is { } prompt && request.Kind == RouteKind.ChatCompletions)
                overwritten = SystemPrompt.Apply(json, prompt, runtime.SystemPromptOverride);
            adapter.PrepareBody(json, target, request, forceStreamUsage);
            if (ParamOverride.Apply(json, runtime.ParamOverride, runtime.ParamOverrideInvalid, request.Model) is { } poError) return (null, poError);
            content = new ByteArrayContent(Serialize(json));
        }
        if (request.Form is null) content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var message = new HttpRequestMessage(HttpMethod.Post, adapter.BuildUri(target, request.Kind, ctx.Request.Path.Value ?? "", model))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var accept = ctx.Request.Headers.Accept.ToString();
        message.Headers.TryAddWithoutValidation("Accept", accept.Length > 0 ? accept : request.Stream ? "text/event-stream" : "application/json");
        adapter.ApplyAuth(message, target);
        if (HeaderOverride.Apply(message, runtime.HeaderOverride, runtime.HeaderOverrideInvalid, ctx.Request.Headers, target.Key) is { } hoError)
        {
            message.Dispose();
            return (null, hoError);
        }
        return (new UpstreamCall(message, model, overwritten), null);
    }

    /// <summary>A JSON body as UTF-8 bytes (the default encoder, as upstreams receive it).</summary>
    internal static byte[] Serialize(JsonObject json)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer)) json.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
