using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Config;

namespace NewApi.Auth;

public enum RateLimitKind { Critical, Search }

/// <summary>Per-route limiters of New API: critical (per IP) and search (per user id). A rejection is 429 with an empty body.</summary>
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
        return ok ? await next(context) : Results.StatusCode(StatusCodes.Status429TooManyRequests);
    }
}

public static class RateLimitFilterExtensions
{
    public static RouteHandlerBuilder RateLimited(this RouteHandlerBuilder builder, RateLimitKind kind) =>
        builder.AddEndpointFilter(new RateLimitFilter(kind));
}
