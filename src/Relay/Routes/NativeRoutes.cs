using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Config;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Tokens;

namespace NewApi.Relay.Routes;

/// <summary>
/// The Claude and Gemini native surfaces (relay.md §1.2): <c>POST /v1/messages</c>, <c>/v1/messages/count_tokens</c>,
/// and <c>POST /v1beta/models/{model}:{action}</c> (also under <c>/v1/models/</c>) with generateContent,
/// streamGenerateContent (SSE with <c>alt=sse</c>, else one JSON array), embedContent, batchEmbedContents and countTokens. They run the common relay
/// pipeline; a channel speaking another dialect is reached through the format converters. Token counts are local
/// estimates (not billed, no channel needed), answered in the caller's shape.
/// </summary>
public static class NativeRoutes
{
    public static void MapNativeRoutes(this WebApplication app)
    {
        var pipeline = app.Services.GetRequiredService<RelayPipeline>();
        var auth = app.Services.GetRequiredService<RelayAuthenticator>();
        var estimator = app.Services.GetRequiredService<PromptEstimator>();
        var config = app.Services.GetRequiredService<RelaySection>();
        app.MapPost("/v1/messages", ctx => pipeline.RunAsync(ctx, RouteKind.ClaudeMessages));
        app.MapPost("/v1/messages/count_tokens", ctx => CountAsync(ctx, auth, estimator, config, RouteKind.ClaudeMessages, null));
        RequestDelegate gemini = ctx => GeminiAsync(ctx, pipeline, auth, estimator, config);
        app.MapPost("/v1beta/models/{**path}", gemini);
        app.MapPost("/v1/models/{**path}", gemini);
    }

    private static Task GeminiAsync(HttpContext ctx, RelayPipeline pipeline, RelayAuthenticator auth, PromptEstimator estimator, RelaySection config)
    {
        var path = (string?)ctx.Request.RouteValues["path"] ?? "";
        var colon = path.LastIndexOf(':');
        var model = colon > 0 ? path[..colon] : "";
        if (model.StartsWith("models/", StringComparison.Ordinal)) model = model["models/".Length..];
        var action = colon > 0 ? path[(colon + 1)..] : "";
        return action switch
        {
            _ when model.Length == 0 || model.Contains('/') => NotFoundAsync(ctx, path),
            "generateContent" => pipeline.RunAsync(ctx, RouteKind.GeminiGenerate, new PathFacts(model, false)),
            "streamGenerateContent" => pipeline.RunAsync(ctx, RouteKind.GeminiGenerate, new PathFacts(model, true)),
            "embedContent" => pipeline.RunAsync(ctx, RouteKind.GeminiEmbed, new PathFacts(model, false)),
            "batchEmbedContents" => pipeline.RunAsync(ctx, RouteKind.GeminiBatchEmbed, new PathFacts(model, false)),
            "countTokens" => CountAsync(ctx, auth, estimator, config, RouteKind.GeminiGenerate, model),
            _ => NotFoundAsync(ctx, path),
        };
    }

    private static Task NotFoundAsync(HttpContext ctx, string path) =>
        RelayErrorResponder.WriteAsync(ctx, RelayError.Local(404, $"unknown Gemini method: {path}", ErrorCodes.InvalidRequest), ctx.RequestAborted);

    /// <summary>Claude <c>{"input_tokens":n}</c> / Gemini <c>{"totalTokens":n}</c> from the local estimate of the request.</summary>
    private static async Task CountAsync(HttpContext ctx, RelayAuthenticator auth, PromptEstimator estimator, RelaySection config, RouteKind kind,
        string? model)
    {
        var ct = ctx.RequestAborted;
        var (caller, authError) = await auth.AuthenticateAsync(ctx, ct);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, authError!, ct);
            return;
        }
        var (body, bodyError) = await RequestBody.ReadAsync(ctx.Request, (long)config.MaxRequestBodyMb * 1024 * 1024, ct);
        if (body is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, bodyError!, ct);
            return;
        }
        using (body)
        {
            var memory = kind == RouteKind.GeminiGenerate ? UnwrapGemini(body.Memory) : body.Memory;
            var (request, parseError) = RelayRequest.Parse(kind, memory, model is null ? null : new PathFacts(model, false));
            if (request is null)
            {
                await RelayErrorResponder.WriteAsync(ctx, parseError!, ct);
                return;
            }
            using (request)
            {
                var tokens = estimator.Estimate(request);
                var buffer = new ArrayBufferWriter<byte>(64);
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteNumber(kind == RouteKind.ClaudeMessages ? "input_tokens" : "totalTokens", tokens);
                    w.WriteEndObject();
                }
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
            }
        }
    }

    /// <summary>countTokens takes either <c>{contents}</c> or <c>{generateContentRequest:{…}}</c>.</summary>
    private static ReadOnlyMemory<byte> UnwrapGemini(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("generateContentRequest"u8, out var inner)
                && inner.ValueKind == JsonValueKind.Object)
                return Copy(inner);
        }
        catch (JsonException)
        {
            // the pipeline's parser reports it
        }
        return body;
    }

    private static ReadOnlyMemory<byte> Copy(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer)) element.WriteTo(w);
        return buffer.WrittenMemory;
    }
}
