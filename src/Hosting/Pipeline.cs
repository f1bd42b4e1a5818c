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

        // new-api: every /api route shares the global per-IP limiter; a rejection is 429 with an empty body.
        app.Use((ctx, next) =>
        {
            if (limits.GlobalApiEnabled && ctx.Request.Path.StartsWithSegments("/api")
                && !limiter.TryAcquire("GA:" + ips.ResolveString(ctx), limits.GlobalApi, limits.GlobalApiDuration))
            {
                ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Task.CompletedTask;
            }
            return next(ctx);
        });

        app.Use((ctx, next) => AnonymousBodyLimit.InvokeAsync(ctx, next, config.Relay));
        app.UseRouting();   // after the error boundary, so routing failures answer in the caller's format too

        var api = app.MapGroup("/api");
        api.MapAdmin();
        api.MapFallback(NotFoundAsync);
        app.MapRelay();
        app.MapFallback("/v1/{**rest}", NotFoundAsync);
        app.MapFallback("/v1beta/{**rest}", NotFoundAsync);
        app.MapConsole(config, NotFoundAsync);
    }

    /// <summary>new-api: unknown /api, /v1 and /assets paths answer 404 with an OpenAI error object.</summary>
    private static Task NotFoundAsync(HttpContext ctx) =>
        RelayErrorWriter.WriteAsync(ctx, ApiSurface.OpenAi, StatusCodes.Status404NotFound,
            $"Invalid URL ({ctx.Request.Method} {ctx.Request.Path})", "invalid_request_error");

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
