using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Config;
using NewApi.Json;

namespace NewApi.Auth;

public enum RateLimitKind { Critical, Search }

/// <summary>
/// Per-route limiters of New API: critical (per IP) and search (per user id). A rejection is 429 with the envelope
/// (New API's body is empty: a caller that parses every /api answer as the envelope failed on it).
/// </summary>
public sealed class RateLimitFilter(RateLimitKind kind) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var cfg = http.RequestServices.GetRequiredService<RateLimitSection>();
        var limiter = http.RequestServices.GetRequiredService<RateLimiter>();
        bool ok;
        if (kind == RateLimitKind.Critical)
        {
            var ip = http.RequestServices.GetRequiredService<ClientIpResolver>().ResolveString(http);
            ok = !cfg.CriticalEnabled || limiter.TryAcquire("CT:" + ip, cfg.Critical, cfg.CriticalDuration);
        }
        else
        {
            var user = http.Features.Get<ICurrentUserFeature>()?.User;
            if (user is null) return Results.StatusCode(StatusCodes.Status401Unauthorized);
            ok = !cfg.SearchEnabled || limiter.TryAcquire("SR:" + user.Id, cfg.Search, cfg.SearchDuration);
        }
        return ok ? await next(context) : TooManyRequests;
    }

    public const string TooManyRequestsMessage = "请求过于频繁，请稍后再试";

    private static readonly IResult TooManyRequests =
        Results.Json(Api.Fail(TooManyRequestsMessage), AdminJson.Default.Reply, statusCode: StatusCodes.Status429TooManyRequests);
}

public static class RateLimitFilterExtensions
{
    public static RouteHandlerBuilder RateLimited(this RouteHandlerBuilder builder, RateLimitKind kind) =>
        builder.AddEndpointFilter(new RateLimitFilter(kind));
}
