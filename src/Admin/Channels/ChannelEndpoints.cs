using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;

namespace NewApi.Admin.Channels;

/// <summary>/api/channel/* (AdminAuth; revealing a channel key needs Root). Mapping only: handlers live next door.</summary>
public static class ChannelEndpoints
{
    public static RouteGroupBuilder MapChannels(this RouteGroupBuilder api)
    {
        var ch = api.MapGroup("/channel").RequireRole(Role.Admin);
        ch.MapGet("/", ChannelCrudHandlers.ListAsync);
        ch.MapGet("/search", ChannelCrudHandlers.SearchAsync).RateLimited(RateLimitKind.Search);
        ch.MapGet("/{id:long}", ChannelCrudHandlers.GetAsync);
        ch.MapPost("/", ChannelCrudHandlers.CreateAsync);
        ch.MapPut("/", ChannelCrudHandlers.UpdateAsync);
        ch.MapDelete("/{id:long}", ChannelCrudHandlers.DeleteAsync);
        ch.MapDelete("/disabled", ChannelCrudHandlers.DeleteDisabledAsync);
        ch.MapPost("/batch", ChannelCrudHandlers.BatchDeleteAsync);
        ch.MapPost("/copy/{id:long}", ChannelCrudHandlers.CopyAsync);
        ch.MapPost("/{id:long}/status", ChannelCrudHandlers.SetStatusAsync);
        ch.MapPost("/status/batch", ChannelCrudHandlers.SetStatusBatchAsync);

        ch.MapPost("/tag/disabled", ChannelTagHandlers.DisableTagAsync);
        ch.MapPost("/tag/enabled", ChannelTagHandlers.EnableTagAsync);
        ch.MapPut("/tag", ChannelTagHandlers.EditTagAsync);
        ch.MapPost("/batch/tag", ChannelTagHandlers.BatchSetTagAsync);
        ch.MapGet("/tag/models", ChannelTagHandlers.TagModelsAsync);
        ch.MapPost("/fix", ChannelTagHandlers.FixAbilitiesAsync);
        ch.MapGet("/models", ChannelTagHandlers.Catalogue);
        ch.MapGet("/models_enabled", ChannelTagHandlers.EnabledModels);
        ch.MapGet("/ops", ChannelTagHandlers.Ops);

        ch.MapGet("/test/{id:long}", ChannelProbeHandlers.TestAsync);
        ch.MapGet("/test", ChannelProbeHandlers.TestAll);
        ch.MapGet("/update_balance/{id:long}", ChannelProbeHandlers.UpdateBalanceAsync);
        ch.MapGet("/update_balance", ChannelProbeHandlers.UpdateAllBalancesAsync);
        ch.MapGet("/fetch_models/{id:long}", ChannelProbeHandlers.FetchModelsAsync);
        ch.MapPost("/fetch_models", ChannelProbeHandlers.FetchModelsByUrlAsync);

        ch.MapPost("/multi_key/manage", ChannelKeyHandlers.ManageAsync);
        ch.MapPost("/{id:long}/key", ChannelKeyHandlers.RevealAsync)
            .RequireRole(Role.Root).RateLimited(RateLimitKind.Critical).AddEndpointFilter(NoStore);
        return api;
    }

    private static ValueTask<object?> NoStore(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var h = ctx.HttpContext.Response.Headers;
        h.CacheControl = "no-store, no-cache, must-revalidate, private, max-age=0";
        h.Pragma = "no-cache";
        h.Expires = "0";
        return next(ctx);
    }

    internal static IResult Json(Reply reply, int status = StatusCodes.Status200OK) => Results.Json(reply, ChannelJson.Default.Reply, statusCode: status);

    internal static IResult Fail(string message, int status = StatusCodes.Status200OK) => Json(Api.Fail(message), status);

    internal static IResult Ok() => Json(Api.Ok());

    internal static IResult Count(int n, string message = "") => Results.Json(Api.Ok(n, message), ChannelJson.Default.EnvelopeInt32);
}
