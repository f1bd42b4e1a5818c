using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewApi.Admin;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Config;
using NewApi.Json;
using NewApi.Relay;
using NewApi.Relay.Errors;

namespace NewApi.Hosting;

/// <summary>Middleware order and route composition. Every request: request id → error boundary → access log → limits → routes.</summary>
public static class Pipeline
{
    public static void Configure(WebApplication app, GatewayConfig config)
    {
        var time = app.Services.GetRequiredService<TimeProvider>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NewApi.Http");
        var limiter = app.Services.GetRequiredService<RateLimiter>();
        var ips = app.Services.GetRequiredService<ClientIpResolver>();
        var limits = config.RateLimit;

        if (config.Server.InlineIo) app.Use(InlineIo.DispatchAsync);
        app.Use((ctx, next) => RequestIds.MiddlewareAsync(ctx, next, time));
        app.Use((ctx, next) => ErrorBoundary.InvokeAsync(ctx, next, logger));
        if (config.Log.AccessLog) app.Use((ctx, next) => AccessLogAsync(ctx, next, logger, ips));
        app.Use((ctx, next) => Cors.InvokeAsync(ctx, next));

        // new-api: every /api route shares the global per-IP limiter; a rejection is 429 (with the envelope here; New
        // API's body is empty).
        app.Use((ctx, next) =>
        {
            if (limits.GlobalApiEnabled && ctx.Request.Path.StartsWithSegments("/api")
                && !limiter.TryAcquire("GA:" + ips.ResolveString(ctx), limits.GlobalApi, limits.GlobalApiDuration))
            {
                ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return ctx.Response.WriteAsJsonAsync(Api.Fail(RateLimitFilter.TooManyRequestsMessage), AdminJson.Default.Reply);
            }
            return next(ctx);
        });

        app.Use((ctx, next) => AnonymousBodyLimit.InvokeAsync(ctx, next, config.Relay));
        app.UseRouting();   // after the error boundary, so routing failures answer in the caller's format too

        var api = app.MapGroup("/api");
        api.MapAdmin();
        api.MapFallback("{**rest}", NotFoundAsync);   // explicit catch-all: the default pattern skips file-like paths (/api/x.json)
        app.MapRelay();
        app.MapFallback("/v1/{**rest}", NotFoundAsync);
        app.MapFallback("/v1beta/{**rest}", NotFoundAsync);
        app.MapConsole(config, NotFoundAsync);
    }

    /// <summary>
    /// Unknown /api, /v1, /v1beta and /assets paths (and a wrong method on a known one: like gin, no 405) answer 404 with
    /// New API's "Invalid URL (METHOD path)" in the caller's dialect: the envelope under /api, Claude's and Gemini's own
    /// error objects on their native paths, OpenAI's everywhere else (New API uses OpenAI's for all of them).
    /// </summary>
    private static Task NotFoundAsync(HttpContext ctx)
    {
        const int status = StatusCodes.Status404NotFound;
        var message = $"Invalid URL ({ctx.Request.Method} {ctx.Request.Path})";
        switch (ApiSurfaces.Of(ctx.Request.Path))
        {
            case ApiSurface.Management:
                ctx.Response.StatusCode = status;
                return ctx.Response.WriteAsJsonAsync(Api.Fail(message), AdminJson.Default.Reply);
            case var native and (ApiSurface.Claude or ApiSurface.Gemini):
                return RelayErrorWriter.WriteAsync(ctx, native, status, message, "invalid_request_error");
            default:
                return RelayErrorWriter.WriteAsync(ctx, ApiSurface.OpenAi, status, message, "invalid_request_error");
        }
    }

    private static async Task AccessLogAsync(HttpContext ctx, RequestDelegate next, ILogger logger, ClientIpResolver ips)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(ctx);
        }
        finally
        {
            HostingLog.Access(logger, ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Response.StatusCode,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds, ips.ResolveString(ctx));
        }
    }
}
