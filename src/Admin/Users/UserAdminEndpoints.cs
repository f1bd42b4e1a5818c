using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Auth.Registration;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Users;

namespace NewApi.Admin.Users;

/// <summary>Admin user management (New API §8.5): list, search, get, create, edit, hard delete, manage, clear a binding.</summary>
public static class UserAdminEndpoints
{
    public static RouteGroupBuilder MapUserAdmin(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/user").RequireRole(Role.Admin);
        users.MapGet("/", ListAsync);
        users.MapGet("/search", SearchAsync);
        users.MapGet("/{id:long}", GetAsync);
        users.MapPost("/", CreateAsync);
        users.MapPut("/", UpdateAsync);
        users.MapDelete("/{id:long}", DeleteAsync);
        users.MapPost("/manage", ManageAsync);
        users.MapDelete("/{id:long}/bindings/{bindingType}", ClearBindingAsync);
        return api;
    }

    private static Task<IResult> ListAsync(HttpContext ctx, UserRepository users, CancellationToken ct) =>
        PageAsync(ctx, users, new UserQuery(), ct);

    private static Task<IResult> SearchAsync(HttpContext ctx, UserRepository users, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        return PageAsync(ctx, users, new UserQuery
        {
            Keyword = q["keyword"].ToString(), Group = q["group"].ToString(),
            Role = int.TryParse(q["role"], out var role) ? role : null, Status = int.TryParse(q["status"], out var status) ? status : null,
        }, ct);
    }

    private static async Task<IResult> PageAsync(HttpContext ctx, UserRepository users, UserQuery query, CancellationToken ct)
    {
        var paging = Paging.From(ctx.Request);
        var (sort, asc) = UserQuery.ParseSort(ctx.Request.Query["sort_by"], ctx.Request.Query["sort_order"]);
        var (rows, total) = await users.ListAsync(query with { Sort = sort, Ascending = asc }, paging.Offset, paging.PageSize, ct);
        var page = new Page<UserView>(paging.Page, paging.PageSize, total, rows.Select(UserViews.ToView).ToList());
        return Results.Json(Api.Ok(page), AccountJson.Default.EnvelopePageUserView);
    }

    private static async Task<IResult> GetAsync(long id, HttpContext ctx, UserRepository users, CancellationToken ct)
    {
        var user = await users.FindAsync(id, ct);
        if (user is null) return Fail("用户不存在");
        if (!ctx.CurrentUser().CanManage(user.Role)) return Fail("无权获取同级或更高等级用户的信息");
        return Results.Json(Api.Ok(UserViews.ToView(user)), AccountJson.Default.EnvelopeUserView);
    }

    private static async Task<Reply> CreateAsync(HttpContext ctx, AccountCreator creator, ManageLog log, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.UserCreateRequest, ct);
        var username = body?.Username?.Trim() ?? "";
        var password = body?.Password ?? "";
        if (username.Length == 0 || password.Length == 0) return Api.Fail("无效的参数");
        var display = string.IsNullOrWhiteSpace(body!.DisplayName) ? username : body.DisplayName.Trim();
        if ((AccountRules.Username(username) ?? AccountRules.Password(password) ?? AccountRules.DisplayName(display)) is { } invalid)
            return Api.Fail(AccountRules.InvalidInput + " " + invalid);
        var role = body.Role is null or 0 ? Role.User : (Role)body.Role.Value;
        if (role is not (Role.User or Role.Admin or Role.Root)) return Api.Fail("无效的参数");
        var caller = ctx.CurrentUser();
        if (role >= caller.Role) return Api.Fail("无法创建权限大于等于自己的用户");
        var (id, error) = await creator.CreateAsync(new AccountDraft(username, password, display, role), ct);
        if (error is not null) return Api.Fail(error);
        await log.WriteAsync(ctx, caller, id, username, $"管理员 {caller.Username} 创建了用户 {username}", "user.create",
            new JsonObject { ["id"] = JsonValue.Create(id), ["username"] = JsonValue.Create(username), ["role"] = JsonValue.Create((int)role) }, ct);
        return Api.Ok();
    }

    private static async Task<Reply> UpdateAsync(HttpContext ctx, UserRepository users, PasswordHasher hasher, ManageLog log, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.UserUpdateRequest, ct);
        if (body?.Id is not { } id || id <= 0) return Api.Fail("无效的参数");
        var target = await users.FindAsync(id, ct);
        if (target is null) return Api.Fail("用户不存在");
        var caller = ctx.CurrentUser();
        if (!caller.CanManage(target.Role)) return Api.Fail(UserManageService.NoPermission);
        // New API: roles change only through /api/user/manage; the edit form may echo the current role back.
        if (body.Role is { } r && r != 0 && r != (int)target.Role) return Api.Fail("无法在此修改用户角色，请使用提升/降级操作");
        var username = body.Username is null ? target.Username : body.Username.Trim();
        var display = body.DisplayName?.Trim() ?? target.DisplayName;
        var group = string.IsNullOrWhiteSpace(body.Group) ? target.Group : body.Group.Trim();
        var remark = body.Remark ?? target.Remark;
        var password = body.Password ?? "";
        if (username.Length == 0) return Api.Fail("无效的参数");
        if ((AccountRules.Username(username) ?? AccountRules.DisplayName(display) ?? AccountRules.Remark(remark)
             ?? (password.Length > 0 ? AccountRules.Password(password) : null) ?? (group.Length > 64 ? "分组名称过长" : null)) is { } invalid)
            return Api.Fail(AccountRules.InvalidInput + " " + invalid);
        if (username != target.Username && await users.UsernameTakenAsync(username, id, ct)) return Api.Fail("用户名已存在");
        await users.UpdateByAdminAsync(id, new UserRepository.AdminEdit(username, display, group, remark,
            password.Length > 0 ? hasher.Hash(password) : null), ct);
        await log.WriteAsync(ctx, caller, id, username, $"管理员 {caller.Username} 编辑了用户信息", "user.update", new JsonObject
        {
            ["id"] = JsonValue.Create(id), ["username"] = JsonValue.Create(username), ["group"] = JsonValue.Create(group),
            ["password_changed"] = JsonValue.Create(password.Length > 0),
        }, ct);
        return Api.Ok();
    }

    /// <summary>Hard delete; New API requires the caller's role to be strictly higher (so not even root deletes a root).</summary>
    private static async Task<Reply> DeleteAsync(long id, HttpContext ctx, UserRepository users, ManageLog log, CancellationToken ct)
    {
        var target = await users.FindAsync(id, ct, includeDeleted: true);
        if (target is null) return Api.Fail("用户不存在");
        var caller = ctx.CurrentUser();
        if (caller.Role <= target.Role) return Api.Fail("无权删除同权限等级或更高权限等级的用户");
        if (!await users.HardDeleteAsync(id, ct)) return Api.Fail("用户不存在");
        await log.WriteAsync(ctx, caller, id, target.Username, $"管理员 {caller.Username} 彻底删除了用户 {target.Username}", "user.delete",
            new JsonObject { ["id"] = JsonValue.Create(id), ["username"] = JsonValue.Create(target.Username) }, ct);
        return Api.Ok();
    }

    private static async Task<IResult> ManageAsync(HttpContext ctx, UserManageService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.UserManageRequest, ct);
        return body is null ? Fail("无效的参数") : await service.ManageAsync(ctx, ctx.CurrentUser(), body, ct);
    }

    private static async Task<Reply> ClearBindingAsync(long id, string bindingType, HttpContext ctx, UserRepository users, ManageLog log,
        CancellationToken ct)
    {
        UserBinding? binding = bindingType switch
        {
            "email" => UserBinding.Email,
            "github" => UserBinding.GitHub,
            "discord" => UserBinding.Discord,
            "oidc" => UserBinding.Oidc,
            "wechat" => UserBinding.WeChat,
            "telegram" => UserBinding.Telegram,
            "linuxdo" => UserBinding.LinuxDo,
            _ => null,
        };
        if (binding is null) return Api.Fail("无效的绑定类型");
        var target = await users.FindAsync(id, ct);
        if (target is null) return Api.Fail("用户不存在");
        var caller = ctx.CurrentUser();
        if (!caller.CanManage(target.Role)) return Api.Fail(UserManageService.NoPermission);
        await users.ClearBindingAsync(id, binding.Value, ct);
        await log.WriteAsync(ctx, caller, id, target.Username, $"管理员 {caller.Username} 解除了用户的 {bindingType} 绑定", "user.binding_clear",
            new JsonObject { ["id"] = JsonValue.Create(id), ["binding_type"] = JsonValue.Create(bindingType) }, ct);
        return Api.Message("success");
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
