using Microsoft.AspNetCore.Http;
using NewApi.Relay.Errors;

namespace NewApi.Hosting;

/// <summary>
/// CORS for the relay (any origin, as New API) and the two key-authenticated /api read routes. Unlike New API we
/// never pair a wildcard origin with credentials: relay calls authenticate with keys, not cookies.
/// </summary>
public static class Cors
{
    public static Task InvokeAsync(HttpContext ctx, RequestDelegate next)
    {
        var path = ctx.Request.Path;
        var surface = ApiSurfaces.Of(path);
        var applies = surface is not (ApiSurface.Management or ApiSurface.Web)
            || path.StartsWithSegments("/api/usage/token") || path.StartsWithSegments("/api/log/token");
        if (!applies) return next(ctx);
        var preflight = HttpMethods.IsOptions(ctx.Request.Method);
        // As New API (gin-contrib/cors): a request without Origin is not a CORS request and gets no CORS headers — SDKs and
        // servers never send one, so a relayed answer carries four headers fewer. Browsers always send Origin cross-origin.
        if (!preflight && ctx.Request.Headers.Origin.Count == 0) return next(ctx);
        var h = ctx.Response.Headers;
        h.AccessControlAllowOrigin = "*";
        h.AccessControlAllowMethods = "GET, POST, PUT, DELETE, OPTIONS";
        var requested = ctx.Request.Headers.AccessControlRequestHeaders.ToString();
        h.AccessControlAllowHeaders = requested.Length > 0 ? requested : "*";
        h.AccessControlExposeHeaders = "X-Oneapi-Request-Id, X-New-Api-Version";
        if (preflight)
        {
            h.AccessControlMaxAge = "86400";
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }
        return next(ctx);
    }
}
