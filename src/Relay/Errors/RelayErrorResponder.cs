using Microsoft.AspNetCore.Http;

namespace NewApi.Relay.Errors;

/// <summary>Writes a <see cref="RelayError"/> in the caller's dialect; local errors carry New API's " (request id: …)" suffix.</summary>
public static class RelayErrorResponder
{
    public static Task WriteAsync(HttpContext ctx, RelayError error, CancellationToken ct = default)
    {
        var message = error.FromUpstream ? error.Message : $"{error.Message} (request id: {ctx.TraceIdentifier})";
        return RelayErrorWriter.WriteAsync(ctx, ApiSurfaces.Of(ctx.Request.Path), error.Status, message, error.Type, error.Code, ct, error.Param);
    }
}
