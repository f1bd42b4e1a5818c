using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Admin.Logs;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;
using NewApi.Storage.QuotaData;

namespace NewApi.Admin.Data;

/// <summary>/api/data/* (New API §9.5): the console dashboard's charts, read from quota_data. Bare arrays, no paging.</summary>
public static class DataEndpoints
{
    /// <summary>New API's limit for the self views: 30 days.</summary>
    public const long MaxSelfSpan = 2592000;

    public const string SpanTooLong = "时间跨度不能超过 1 个月";

    public static RouteGroupBuilder MapData(this RouteGroupBuilder api)
    {
        var data = api.MapGroup("/data");
        data.MapGet("/", AllAsync).RequireRole(Role.Admin);
        data.MapGet("/users", UsersAsync).RequireRole(Role.Admin);
        data.MapGet("/self", SelfAsync).RequireRole(Role.User);
        data.MapGet("/flow", FlowAsync).RequireRole(Role.Admin);
        data.MapGet("/flow/self", FlowSelfAsync).RequireRole(Role.User);
        return api;
    }

    /// <summary>Per (model, hour); with username, per (user, model, hour) of that username.</summary>
    private static async Task<IResult> AllAsync(HttpContext ctx, QuotaDataRepository repo, CancellationToken ct)
    {
        var (start, end) = Range(ctx.Request.Query);
        var username = LogQueryParser.Str(ctx.Request.Query, "username");
        var rows = username.Length > 0 ? await repo.ByUsernameAsync(username, start, end, ct) : await repo.ByModelAsync(start, end, ct);
        return Rows(rows);
    }

    private static async Task<IResult> UsersAsync(HttpContext ctx, QuotaDataRepository repo, CancellationToken ct)
    {
        var (start, end) = Range(ctx.Request.Query);
        return Rows(await repo.PerUserAsync(start, end, ct));
    }

    private static async Task<IResult> SelfAsync(HttpContext ctx, QuotaDataRepository repo, CancellationToken ct)
    {
        var (start, end) = Range(ctx.Request.Query);
        if (end - start > MaxSelfSpan) return Fail(SpanTooLong);
        return Rows(await repo.ByUserIdAsync(ctx.CurrentUser().Id, start, end, ct));
    }

    /// <summary>Root sees nodes and tokens; admins see users, groups, models and channels.</summary>
    private static async Task<IResult> FlowAsync(HttpContext ctx, QuotaDataRepository repo, ChannelCache channels, CancellationToken ct)
    {
        var (start, end, error) = FlowRange(ctx.Request.Query);
        if (error is not null) return Fail(error);
        var scope = ctx.CurrentUser().IsRoot ? QuotaFlowScope.Root : QuotaFlowScope.Admin;
        var rows = await repo.FlowAsync(scope, start, end, LogQueryParser.Str(ctx.Request.Query, "username"), 0, ct);
        return Flow(rows, channels);
    }

    private static async Task<IResult> FlowSelfAsync(HttpContext ctx, QuotaDataRepository repo, ChannelCache channels, CancellationToken ct)
    {
        var (start, end, error) = FlowRange(ctx.Request.Query);
        if (error is not null) return Fail(error);
        if (end - start > MaxSelfSpan) return Fail(SpanTooLong);
        return Flow(await repo.FlowAsync(QuotaFlowScope.Self, start, end, "", ctx.CurrentUser().Id, ct), channels);
    }

    /// <summary>new-api: unparsable bounds count as 0 (and the range is taken literally).</summary>
    private static (long Start, long End) Range(IQueryCollection q) =>
        (LogQueryParser.Long(q, "start_timestamp"), LogQueryParser.Long(q, "end_timestamp"));

    /// <summary>The flow routes require both bounds, positive and ordered.</summary>
    private static (long Start, long End, string? Error) FlowRange(IQueryCollection q)
    {
        var start = LogQueryParser.Long(q, "start_timestamp");
        if (start <= 0) return (0, 0, "invalid start_timestamp");
        var end = LogQueryParser.Long(q, "end_timestamp");
        if (end <= 0) return (0, 0, "invalid end_timestamp");
        return end < start ? (0, 0, "invalid time range") : (start, end, null);
    }

    private static IResult Rows(List<QuotaDataRow> rows) => new QuotaDataBody(rows);

    /// <summary>Channel names from the routing snapshot; a deleted channel shows as "channel-&lt;id&gt;" like New API.</summary>
    private static IResult Flow(List<QuotaFlowRow> rows, ChannelCache channels)
    {
        var byId = channels.Current.ById;
        var views = rows.Select(r => new QuotaFlowView
        {
            UserId = r.UserId != 0 ? r.UserId : null, Username = NullIfEmpty(r.Username), NodeName = NullIfEmpty(r.NodeName),
            TokenId = r.TokenId != 0 ? r.TokenId : null, TokenName = NullIfEmpty(r.TokenName), UseGroup = r.UseGroup,
            ChannelId = r.ChannelId != 0 ? r.ChannelId : null,
            ChannelName = r.ChannelId <= 0 ? null
                : byId.TryGetValue(r.ChannelId, out var ch) && ch.Name.Length > 0 ? ch.Name
                : "channel-" + r.ChannelId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ModelName = r.ModelName, TokenUsed = r.TokenUsed, Count = r.Count, Quota = r.Quota,
        }).ToList();
        return Results.Json(Api.Ok(views), LogJson.Default.EnvelopeListQuotaFlowView);
    }

    private static string? NullIfEmpty(string s) => s.Length > 0 ? s : null;

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
