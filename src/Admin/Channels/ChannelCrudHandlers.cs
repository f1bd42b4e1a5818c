using Microsoft.AspNetCore.Http;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.Channels;
using static NewApi.Admin.Channels.ChannelEndpoints;

namespace NewApi.Admin.Channels;

/// <summary>List, search, read, create, update, copy, delete and manual status of channels.</summary>
internal static class ChannelCrudHandlers
{
    public static async Task<IResult> ListAsync(HttpContext ctx, ChannelListing listing, CancellationToken ct) =>
        Results.Json(Api.Ok(await listing.ListAsync(ctx.Request, ct)), ChannelJson.Default.EnvelopeChannelListPage);

    public static async Task<IResult> SearchAsync(HttpContext ctx, ChannelListing listing, CancellationToken ct) =>
        Results.Json(Api.Ok(await listing.SearchAsync(ctx.Request, ct)), ChannelJson.Default.EnvelopeChannelSearchPage);

    public static async Task<IResult> GetAsync(long id, ChannelRepository repo, CancellationToken ct) =>
        await repo.FindAsync(id, ct) is { } row
            ? Results.Json(Api.Ok(ChannelMapper.ToView(row)), ChannelJson.Default.EnvelopeChannelView)
            : Fail("渠道不存在");

    public static async Task<IResult> CreateAsync(HttpContext ctx, ChannelService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.AddChannelRequest, ct);
        if (body is null) return Fail("无效的参数");
        return await service.CreateAsync(body, ct) is { } error ? Fail(error) : Ok();
    }

    public static async Task<IResult> UpdateAsync(HttpContext ctx, ChannelService service, CancellationToken ct)
    {
        if (await JsonBody.ReadElementAsync(ctx.Request, ct) is not { } body) return Fail("无效的参数");
        var (row, error) = await service.UpdateAsync(body, ct);
        return row is null ? Fail(error ?? "无效的参数") : Results.Json(Api.Ok(ChannelMapper.ToView(row)), ChannelJson.Default.EnvelopeChannelView);
    }

    public static async Task<IResult> DeleteAsync(long id, ChannelRepository repo, CancellationToken ct) =>
        await repo.DeleteAsync([id], ct) > 0 ? Ok() : Fail("渠道不存在");

    public static async Task<IResult> DeleteDisabledAsync(ChannelRepository repo, CancellationToken ct) =>
        Count(await repo.DeleteDisabledAsync(ct));

    public static async Task<IResult> BatchDeleteAsync(HttpContext ctx, ChannelRepository repo, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelBatchRequest, ct);
        if (body?.Ids is not { Count: > 0 } ids) return Fail("参数错误");
        await repo.DeleteAsync(ids.Distinct().ToList(), ct);
        return Count(ids.Count);
    }

    public static async Task<IResult> CopyAsync(long id, HttpContext ctx, ChannelService service, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        var suffix = q.ContainsKey("suffix") ? q["suffix"].ToString() : "_复制";
        var reset = ChannelQuery.ParseBool(q["reset_balance"], fallback: true);
        var (newId, error) = await service.CopyAsync(id, suffix, reset, ct);
        return error is not null ? Fail(error) : Results.Json(Api.Ok(new Json.Contracts.Admin.ChannelIdView(newId)), ChannelJson.Default.EnvelopeChannelIdView);
    }

    public static async Task<IResult> SetStatusAsync(long id, HttpContext ctx, ChannelBulkService bulk, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelStatusRequest, ct);
        if (body is null || !IsManual(body.Status)) return Fail("无效的参数");
        var changed = await bulk.SetStatusAsync(id, (ChannelStatus)body.Status, ct);
        return Results.Json(Api.Ok(changed), ChannelJson.Default.EnvelopeBoolean);
    }

    public static async Task<IResult> SetStatusBatchAsync(HttpContext ctx, ChannelBulkService bulk, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelBatchRequest, ct);
        if (body?.Ids is not { Count: > 0 } ids || !IsManual(body.Status)) return Fail("无效的参数");
        return Count(await bulk.SetStatusManyAsync(ids, (ChannelStatus)body.Status, ChannelBulkService.ManualBatchReason, ct));
    }

    /// <summary>Only enabled (1) and manually disabled (2) are set by hand; 3 belongs to the automation.</summary>
    private static bool IsManual(int status) => status is (int)ChannelStatus.Enabled or (int)ChannelStatus.ManuallyDisabled;
}
