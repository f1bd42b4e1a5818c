using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Config;

namespace NewApi.Hosting;

/// <summary>Serves the embedded console at <c>/</c> with SPA fallback to index.html for every non-API path.</summary>
public static class ConsoleEndpoints
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
                               "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

    public static void MapConsole(this WebApplication app, GatewayConfig config, RequestDelegate notFound)
    {
        var assets = app.Services.GetRequiredService<ConsoleAssets>();
        var limiter = app.Services.GetRequiredService<RateLimiter>();
        var ips = app.Services.GetRequiredService<ClientIpResolver>();
        var limits = config.RateLimit;
        // new-api: a missing /assets file is a 404 with an OpenAI error object, not the SPA page.
        app.MapFallback("/assets/{**rest}", ctx => assets.Find(ctx.Request.Path.Value ?? "") is { } a ? ServeAsync(ctx, a) : notFound(ctx));
        app.MapFallback(ctx =>
        {
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            var path = ctx.Request.Path.Value ?? "/";
            var asset = assets.Find(path);
            var isIndex = asset is null || path == "/index.html";
            if (isIndex && limits.GlobalWebEnabled && !limiter.TryAcquire("GW:" + ips.ResolveString(ctx), limits.GlobalWeb, limits.GlobalWebDuration))
            {
                ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Task.CompletedTask;
            }
            asset ??= Path.HasExtension(path) && !path.EndsWith(".html", StringComparison.Ordinal) ? null : assets.Index;
            if (asset is null)
            {
                if (assets.IsEmpty && !Path.HasExtension(path)) return WriteNoConsoleAsync(ctx);
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return ServeAsync(ctx, asset);
        });
    }

    private static Task ServeAsync(HttpContext ctx, ConsoleAssets.Asset asset)
    {
        var h = ctx.Response.Headers;
        SecurityHeaders(h);
        h.ETag = asset.ETag;
        h.CacheControl = asset.Immutable ? "public, max-age=31536000, immutable" : "no-cache";
        h.Vary = "Accept-Encoding";
        if (ctx.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        ctx.Response.ContentType = asset.ContentType;
        var accept = ctx.Request.Headers.AcceptEncoding.ToString();
        var body = asset.Body;
        if (asset.Brotli is { } br && accept.Contains("br", StringComparison.Ordinal)) { body = br; h.ContentEncoding = "br"; }
        else if (asset.Gzip is { } gz && accept.Contains("gzip", StringComparison.Ordinal)) { body = gz; h.ContentEncoding = "gzip"; }
        ctx.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : ctx.Response.Body.WriteAsync(body).AsTask();
    }

    private static void SecurityHeaders(IHeaderDictionary h)
    {
        h.ContentSecurityPolicy = Csp;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "same-origin";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
    }

    private static Task WriteNoConsoleAsync(HttpContext ctx)
    {
        SecurityHeaders(ctx.Response.Headers);
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache";
        return ctx.Response.WriteAsync("<!doctype html><meta charset=utf-8><title>NewApi</title><p>NewApi is running. This build has no console bundle; build it with <code>./build.sh</code>.</p>");
    }
}
