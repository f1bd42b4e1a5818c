using Microsoft.AspNetCore.Http;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Relay.Probe;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;
using static NewApi.Admin.Channels.ChannelEndpoints;

namespace NewApi.Admin.Channels;

/// <summary>Tag operations, ability repair and the read-only model lists.</summary>
internal static class ChannelTagHandlers
{
    private static readonly List<CatalogModelView> CatalogueViews =
    [
        .. ModelCatalog.Families.SelectMany(f => f.Models.Select(m => new CatalogModelView(m, "model", ModelCatalog.Created, f.OwnedBy))),
    ];

    public static Task<IResult> DisableTagAsync(HttpContext ctx, ChannelBulkService bulk, CancellationToken ct) =>
        SetTagStatusAsync(ctx, bulk, ChannelStatus.ManuallyDisabled, ct);

    public static Task<IResult> EnableTagAsync(HttpContext ctx, ChannelBulkService bulk, CancellationToken ct) =>
        SetTagStatusAsync(ctx, bulk, ChannelStatus.Enabled, ct);

    private static async Task<IResult> SetTagStatusAsync(HttpContext ctx, ChannelBulkService bulk, ChannelStatus status, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelTagRequest, ct);
        if (string.IsNullOrEmpty(body?.Tag)) return Fail("参数错误");
        await bulk.SetTagStatusAsync(body.Tag, status, ct);
        return Ok();
    }

    public static async Task<IResult> EditTagAsync(HttpContext ctx, ChannelBulkService bulk, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelTagRequest, ct);
        if (body is null) return Fail("参数错误");
        return await bulk.EditTagAsync(body, ct) is { } error ? Fail(error) : Ok();
    }

    public static async Task<IResult> BatchSetTagAsync(HttpContext ctx, ChannelBulkService bulk, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelBatchRequest, ct);
        if (body?.Ids is not { Count: > 0 } ids) return Fail("参数错误");
        await bulk.BatchSetTagAsync(ids, body.Tag, ct);
        return Count(ids.Count);
    }

    public static async Task<IResult> TagModelsAsync(HttpContext ctx, ChannelBulkService bulk, CancellationToken ct)
    {
        var tag = ctx.Request.Query["tag"].ToString();
        if (tag.Length == 0) return Fail("tag不能为空", StatusCodes.Status400BadRequest);
        return Results.Json(Api.Ok(await bulk.TagModelsAsync(tag, ct)), ChannelJson.Default.EnvelopeString);
    }

    public static async Task<IResult> FixAbilitiesAsync(ChannelBulkService bulk, CancellationToken ct)
    {
        var (channels, busy) = await bulk.FixAbilitiesAsync(ct);
        return busy ? Fail("已有修复任务正在进行中，请稍后再试")
            : Results.Json(Api.Ok(new FixAbilitiesView(channels, 0)), ChannelJson.Default.EnvelopeFixAbilitiesView);
    }

    public static IResult Catalogue() => Results.Json(Api.Ok(CatalogueViews), ChannelJson.Default.EnvelopeListCatalogModelView);

    /// <summary>Distinct model names with at least one enabled ability (read from the routing snapshot).</summary>
    public static IResult EnabledModels(ChannelCache cache)
    {
        var models = cache.Current.ModelsByGroup.Values.SelectMany(m => m).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return Results.Json(Api.Ok(models), ChannelJson.Default.EnvelopeListString);
    }

    public static IResult Ops(OptionsStore options) =>
        Results.Json(Api.Ok(new ChannelOpsView(options.Current.GetLong("RetryTimes", 0))), ChannelJson.Default.EnvelopeChannelOpsView);
}
