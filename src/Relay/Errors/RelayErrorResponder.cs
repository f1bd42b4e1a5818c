using Microsoft.AspNetCore.Http;

namespace NewApi.Relay.Errors;

/// <summary>Writes a <see cref="RelayError"/> in the caller's dialect; local errors carry New API's " (request id: …)" suffix.</summary>
public static class RelayErrorResponder
{
    public static Task WriteAsync(HttpContext ctx, RelayError error, CancellationToken ct = default)
    {
        var message = error.FromUpstream ? error.Message : $"{error.Message} (request id: {ctx.TraceIdentifier})";
        // "No available channel for model X" keeps New API's 503, but it is configuration, not load: the official
        // OpenAI and Anthropic SDKs (and Claude Code on top of them) honour x-should-retry and stop retrying it.
        if (!error.FromUpstream && error.Code == ErrorCodes.ModelNotFound && !ctx.Response.HasStarted)
            ctx.Response.Headers["x-should-retry"] = "false";
        return RelayErrorWriter.WriteAsync(ctx, ApiSurfaces.Of(ctx.Request.Path), error.Status, message, error.Type, error.Code, ct, error.Param);
    }
}
