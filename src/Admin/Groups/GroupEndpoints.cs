using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.PrefillGroups;
using NewApi.Storage.Users;

namespace NewApi.Admin.Groups;

/// <summary>GET /api/group/ (group names from GroupRatio) and /api/prefill_group CRUD (New API §9.6), admins only.</summary>
public static class GroupEndpoints
{
    public static RouteGroupBuilder MapGroups(this RouteGroupBuilder api)
    {
        api.MapGroup("/group").RequireRole(Role.Admin).MapGet("/", (UserGroups groups) => Api.Ok(groups.Names.ToList()));
        var prefill = api.MapGroup("/prefill_group").RequireRole(Role.Admin);
        prefill.MapGet("/", ListAsync);
        prefill.MapPost("/", CreateAsync);
        prefill.MapPut("/", UpdateAsync);
        prefill.MapDelete("/{id:long}", DeleteAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext ctx, PrefillGroupRepository repo, CancellationToken ct)
    {
        var rows = await repo.ListAsync(ctx.Request.Query["type"].ToString().Trim(), ct);
        return Results.Json(Api.Ok(rows.Select(ToView).ToList()), AccountJson.Default.EnvelopeListPrefillGroupView);
    }

    private static async Task<IResult> CreateAsync(HttpContext ctx, PrefillGroupRepository repo, TimeProvider time, CancellationToken ct)
    {
        var (row, error) = await ReadAsync(ctx, ct);
        if (row is null) return Fail(error!);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var created = await repo.InsertAsync(row with { CreatedTime = now, UpdatedTime = now }, ct);
        return created is null ? Fail("组名已存在") : Results.Json(Api.Ok(ToView(created)), AccountJson.Default.EnvelopePrefillGroupView);
    }

    private static async Task<IResult> UpdateAsync(HttpContext ctx, PrefillGroupRepository repo, TimeProvider time, CancellationToken ct)
    {
        var (row, error) = await ReadAsync(ctx, ct);
        if (row is null) return Fail(error!);
        if (row.Id <= 0) return Fail("缺少组 ID");
        var existing = await repo.FindAsync(row.Id, ct);
        if (existing is null) return Fail("预填组不存在");
        var updated = row with { CreatedTime = existing.CreatedTime, UpdatedTime = time.GetUtcNow().ToUnixTimeSeconds() };
        return await repo.UpdateAsync(updated, ct) switch
        {
            PrefillGroupRepository.UpdateResult.Updated => Results.Json(Api.Ok(ToView(updated)), AccountJson.Default.EnvelopePrefillGroupView),
            PrefillGroupRepository.UpdateResult.NameTaken => Fail("组名已存在"),
            _ => Fail("预填组不存在"),
        };
    }

    private static async Task<Reply> DeleteAsync(long id, PrefillGroupRepository repo, TimeProvider time, CancellationToken ct) =>
        await repo.SoftDeleteAsync(id, time.GetUtcNow(), ct) ? Api.Ok() : Api.Fail("预填组不存在");

    private static async Task<(PrefillGroupRow? Row, string? Error)> ReadAsync(HttpContext ctx, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.PrefillGroupRequest, ct);
        if (body is null) return (null, "无效的参数");
        var name = body.Name?.Trim() ?? "";
        var type = body.Type?.Trim() ?? "";
        if (name.Length == 0 || type.Length == 0) return (null, "组名称和类型不能为空");
        if (name.Length > 64 || type.Length > 32 || (body.Description?.Length ?? 0) > 255) return (null, "输入不合法");
        var items = body.Items is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } e ? e.GetRawText() : "[]";
        return (new PrefillGroupRow { Id = body.Id ?? 0, Name = name, Type = type, Items = items, Description = body.Description ?? "" }, null);
    }

    private static PrefillGroupView ToView(PrefillGroupRow r) =>
        new(r.Id, r.Name, r.Type, Parse(r.Items), r.Description, r.CreatedTime, r.UpdatedTime);

    private static JsonElement Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json, AdminJson.Default.String);
        }
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
