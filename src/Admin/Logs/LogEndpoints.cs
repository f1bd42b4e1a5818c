using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Logs;

namespace NewApi.Admin.Logs;

/// <summary>/api/log/* (New API §9.4). Roles per route: the group mixes admin, root, user and key-authenticated routes.</summary>
public static class LogEndpoints
{
    /// <summary>
    /// Rows per delete transaction (New API's batch size). A batch removes the rows, their index entries and their share of
    /// the summaries while holding the write lock; at 100 rows that lock is held for tens of milliseconds, so the relay's
    /// log writer is never held up longer (bench/LOGS_RESULTS.md).
    /// </summary>
    public const int DeleteBatchSize = 100;

    public static RouteGroupBuilder MapLogs(this RouteGroupBuilder api)
    {
        var logs = api.MapGroup("/log");
        logs.MapGet("/", ListAsync).RequireRole(Role.Admin);
        logs.MapDelete("/", DeleteAsync).RequireRole(Role.Root);
        logs.MapGet("/stat", StatAsync).RequireRole(Role.Admin);
        logs.MapGet("/search", Deprecated).RequireRole(Role.Admin);
        logs.MapGet("/self", ListSelfAsync).RequireRole(Role.User);
        logs.MapGet("/self/stat", SelfStatAsync).RequireRole(Role.User);
        logs.MapGet("/self/search", Deprecated).RequireRole(Role.User).RateLimited(RateLimitKind.Search);
        logs.MapGet("/token", LogTokenEndpoint.GetAsync).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext ctx, LogQueryRepository repo, LogFormatter format, CancellationToken ct)
    {
        var (filter, error) = LogQueryParser.Parse(ctx.Request.Query, selfUserId: null);
        if (error is not null) return Fail(error);
        var page = Paging.From(ctx.Request);
        var result = await repo.PageAsync(filter, Offset(page), page.PageSize, ct);
        return Results.Json(Api.Ok(new Page<LogView>(page.Page, page.PageSize, result.Total, format.ForAdmin(result.Items))),
            LogJson.Default.EnvelopePageLogView);
    }

    /// <summary>
    /// The caller's rows, by user id. NewApi: New API's self listing counts at most 10 000 rows to bound its cost; the
    /// per-day summary makes the exact count cheap, so the console can page to the very first row.
    /// </summary>
    private static async Task<IResult> ListSelfAsync(HttpContext ctx, LogQueryRepository repo, CancellationToken ct)
    {
        var (filter, error) = LogQueryParser.Parse(ctx.Request.Query, ctx.CurrentUser().Id);
        if (error is not null) return Fail(error);
        var page = Paging.From(ctx.Request);
        var offset = Offset(page);
        var result = await repo.PageAsync(filter, offset, page.PageSize, ct);
        return Results.Json(Api.Ok(new Page<LogView>(page.Page, page.PageSize, result.Total, LogFormatter.ForUser(result.Items, offset))),
            LogJson.Default.EnvelopePageLogView);
    }

    private static async Task<IResult> StatAsync(HttpContext ctx, LogQueryRepository repo, TimeProvider time, CancellationToken ct)
    {
        var (filter, error) = LogQueryParser.Parse(ctx.Request.Query, selfUserId: null);
        if (error is not null) return Fail(error);
        var stat = await repo.StatAsync(filter, time.UnixSeconds(), ct);
        return Results.Json(Api.Ok(new LogStatView(stat.Quota, stat.Rpm, stat.Tpm)), LogJson.Default.EnvelopeLogStatView);
    }

    /// <summary>
    /// NewApi: New API filters the self stat by the caller's username, and a username is free text, so a user named
    /// "a%" summed every user starting with "a". We filter by user id.
    /// </summary>
    private static async Task<IResult> SelfStatAsync(HttpContext ctx, LogQueryRepository repo, TimeProvider time, CancellationToken ct)
    {
        var (filter, error) = LogQueryParser.Parse(ctx.Request.Query, ctx.CurrentUser().Id);
        if (error is not null) return Fail(error);
        var stat = await repo.StatAsync(filter, time.UnixSeconds(), ct);
        return Results.Json(Api.Ok(new LogStatView(stat.Quota, stat.Rpm, stat.Tpm)), LogJson.Default.EnvelopeLogStatView);
    }

    /// <summary>Deletes rows older than target_timestamp in batches; data = rows deleted.</summary>
    private static async Task<IResult> DeleteAsync(HttpContext ctx, LogRepository repo, CancellationToken ct)
    {
        var target = LogQueryParser.Long(ctx.Request.Query, "target_timestamp");
        if (target == 0) return Fail("target timestamp is required");
        var deleted = await repo.DeleteBeforeAsync(target, DeleteBatchSize, ct);
        return Results.Json(Api.Ok(deleted), AdminJson.Default.EnvelopeInt64);
    }

    /// <summary>new-api: both search routes are deprecated and always answer this failure.</summary>
    private static IResult Deprecated() => Fail("该接口已废弃");

    private static long Offset(Paging page) => (long)(page.Page - 1) * page.PageSize;

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
