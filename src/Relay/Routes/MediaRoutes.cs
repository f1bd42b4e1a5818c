using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Routes;

/// <summary>
/// The non-chat OpenAI routes of relay.md §1.2: moderations, rerank, images (generations as JSON, edits as a form or
/// JSON), audio (speech as JSON with a streamed binary answer, transcriptions and translations as forms) and the
/// retired /v1/edits.
/// </summary>
public static class MediaRoutes
{
    public static void MapMediaRoutes(this WebApplication app)
    {
        var pipeline = app.Services.GetRequiredService<RelayPipeline>();
        var uploads = app.Services.GetRequiredService<UploadRelay>();
        var auth = app.Services.GetRequiredService<RelayAuthenticator>();
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/moderations", ctx => pipeline.RunAsync(ctx, RouteKind.Moderations));
        v1.MapPost("/rerank", ctx => pipeline.RunAsync(ctx, RouteKind.Rerank));
        v1.MapPost("/images/generations", ctx => pipeline.RunAsync(ctx, RouteKind.ImageGenerations));
        v1.MapPost("/images/edits", ctx => uploads.RunAsync(ctx, RouteKind.ImageEdits));
        v1.MapPost("/audio/speech", ctx => pipeline.RunAsync(ctx, RouteKind.AudioSpeech));
        v1.MapPost("/audio/transcriptions", ctx => uploads.RunAsync(ctx, RouteKind.AudioTranscription));
        v1.MapPost("/audio/translations", ctx => uploads.RunAsync(ctx, RouteKind.AudioTranslation));
        v1.MapPost("/edits", ctx => RetiredEditsAsync(ctx, auth));
    }

    /// <summary>
    /// NewApi: /v1/edits was OpenAI's text Edits API ({model, input, instruction}, text-davinci-edit-001), retired by
    /// OpenAI in January 2024. New API routes it to its image handler, which always fails with a 500 "invalid request
    /// type". Treating the body as an image edit would misread a text request (it has no image and no prompt), so the
    /// key is checked as on every relay route and the call is refused with a clear 400 naming the replacement.
    /// </summary>
    private static async Task RetiredEditsAsync(HttpContext ctx, RelayAuthenticator auth)
    {
        var (caller, error) = await auth.AuthenticateAsync(ctx, ctx.RequestAborted);
        await RelayErrorResponder.WriteAsync(ctx, caller is null ? error! : RelayError.BadRequest(
            "The /v1/edits API has been retired by OpenAI; use /v1/chat/completions for text edits or /v1/images/edits for image edits"),
            ctx.RequestAborted);
    }
}
