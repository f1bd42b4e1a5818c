using Microsoft.AspNetCore.Http;
using NewApi.Config;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Routes;

/// <summary>
/// The multipart routes (audio transcription and translation, image edits): authenticate, read the form (files to the
/// spool), validate its text fields as the JSON routes are validated, check the route's files, then run the common
/// pipeline. An image edit sent as JSON takes the JSON path; the audio routes accept only forms.
/// </summary>
public sealed class UploadRelay(RelayAuthenticator auth, RelayPipeline pipeline, RelaySection config, TimeProvider time)
{
    public async Task RunAsync(HttpContext ctx, RouteKind kind)
    {
        var ct = ctx.RequestAborted;
        var (caller, authError) = await auth.AuthenticateAsync(ctx, ct);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, authError!, ct);
            return;
        }
        if (!MultipartFormReader.IsMultipart(ctx.Request))
        {
            if (kind == RouteKind.ImageEdits) await pipeline.RunAsync(ctx, kind, caller);
            else await RelayErrorResponder.WriteAsync(ctx, RelayError.BadRequest("request must be multipart/form-data with a file"), ct);
            return;
        }
        var (form, formError) = await MultipartFormReader.ReadAsync(ctx.Request, (long)config.MaxRequestBodyMb * 1024 * 1024, ct);
        if (form is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, formError!, ct);
            return;
        }
        using var body = RequestBody.Copy(form.FieldsJson());
        var (request, parseError) = RelayRequest.Parse(kind, body.Memory);
        if (request is null)
        {
            form.Dispose();
            await RelayErrorResponder.WriteAsync(ctx, parseError!, ct);
            return;
        }
        using (request)
        {
            request.Form = form;
            if (MissingFile(kind, form) is { } missing)
            {
                await RelayErrorResponder.WriteAsync(ctx, RelayError.BadRequest(missing), ct);
                return;
            }
            var rc = new RelayContext
            {
                Http = ctx, Kind = kind, Caller = caller, Request = request, Body = body, Group = caller.Group,
                StartTimestamp = time.GetTimestamp(), StartUnix = time.GetUtcNow().ToUnixTimeSeconds(),
            };
            await pipeline.RunLimitedAsync(rc, ct);
        }
    }

    private static string? MissingFile(RouteKind kind, MultipartForm form) => kind switch
    {
        RouteKind.AudioTranscription or RouteKind.AudioTranslation when form.FirstFile("file") is not { Length: > 0 } => "file is required",
        RouteKind.ImageEdits when form.Images().Count == 0 => "image is required",
        _ => null,
    };
}
