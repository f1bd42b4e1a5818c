using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Json;

namespace NewApi.Auth.Email;

/// <summary>New API's e-mail verification limiter: 2 sends per 30 s per IP; 429 with an envelope naming the wait.</summary>
public sealed class EmailRateLimitFilter : IEndpointFilter
{
    public const int Limit = 2;
    public const int WindowSeconds = 30;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = "EV:" + http.RequestServices.GetRequiredService<ClientIpResolver>().ResolveString(http);
        var limiter = http.RequestServices.GetRequiredService<RateLimiter>();
        if (limiter.TryAcquire(key, Limit, WindowSeconds)) return await next(context);
        var wait = Math.Max(1, limiter.SecondsUntilFree(key, WindowSeconds));
        return Results.Json(Api.Fail($"发送过于频繁，请等待 {wait} 秒后再试"), AdminJson.Default.Reply, statusCode: StatusCodes.Status429TooManyRequests);
    }
}

public static class EmailRateLimitExtensions
{
    public static RouteHandlerBuilder EmailRateLimited(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(new EmailRateLimitFilter());
}
