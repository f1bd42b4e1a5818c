using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Json;

namespace NewApi.Auth;

/// <summary>Endpoint filter enforcing a minimum role; the only place roles are compared for route access.</summary>
public sealed class RoleFilter(Role required) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var auth = http.RequestServices.GetRequiredService<UserAuthenticator>();
        var result = await auth.AuthenticateAsync(http, required, http.RequestAborted);
        if (!result.Ok) return Results.Json(Api.Fail(result.Message), AdminJson.Default.Reply, statusCode: result.Status);
        http.Features.Set<ICurrentUserFeature>(new CurrentUserFeature(result.User!));
        http.Response.Headers["Auth-Version"] = BuildInfo.AuthVersion;
        return await next(context);
    }
}

public static class RoleFilterExtensions
{
    public static RouteGroupBuilder RequireRole(this RouteGroupBuilder group, Role role)
    {
        group.AddEndpointFilter(new RoleFilter(role));
        group.WithMetadata(new RequiredRole(role));
        return group;
    }

    public static RouteHandlerBuilder RequireRole(this RouteHandlerBuilder builder, Role role) =>
        builder.AddEndpointFilter(new RoleFilter(role)).WithMetadata(new RequiredRole(role));

    /// <summary>The authenticated caller; only valid behind <see cref="RoleFilter"/>.</summary>
    public static CurrentUser CurrentUser(this HttpContext ctx) =>
        ctx.Features.Get<ICurrentUserFeature>()?.User ?? throw new InvalidOperationException("route is not behind RequireRole");
}

/// <summary>Endpoint metadata naming the role a route needs (tests enumerate it to probe every gated route).</summary>
public sealed record RequiredRole(Role Role);
