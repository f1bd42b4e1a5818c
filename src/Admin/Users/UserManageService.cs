using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Admin.Users;

/// <summary>
/// POST /api/user/manage. Role rules as New API: the caller may act on root (if root) or on strictly lower roles; a root
/// is never disabled, deleted or demoted; only root promotes. Every action writes a manage log. Disabling, deleting and
/// demoting take effect at once: auth re-reads the user per request and <see cref="UserRepository.Invalidated"/> tells
/// the relay's caches to drop the user's keys.
/// </summary>
public sealed class UserManageService(UserRepository users, ManageLog log, OptionsStore options, TimeProvider time)
{
    public const string NoPermission = "无权更新同权限等级或更高权限等级的用户信息";

    public async Task<IResult> ManageAsync(HttpContext ctx, CurrentUser caller, UserManageRequest req, CancellationToken ct)
    {
        if (req.Id is not { } id || id <= 0 || string.IsNullOrEmpty(req.Action)) return Fail("无效的参数");
        var target = await users.FindAsync(id, ct, includeDeleted: true);
        if (target is null) return Fail("用户不存在");
        if (!caller.CanManage(target.Role)) return Fail(NoPermission);

        var role = target.Role;
        var status = target.Status;
        switch (req.Action)
        {
            case "disable":
                if (target.Role == Role.Root) return Fail("无法禁用超级管理员用户");
                status = UserStatus.Disabled;
                await users.SetStatusAsync(id, status, ct);
                break;
            case "enable":
                status = UserStatus.Enabled;
                await users.SetStatusAsync(id, status, ct);
                break;
            case "delete":
                if (target.Role == Role.Root) return Fail("无法删除超级管理员用户");
                await users.SoftDeleteAsync(id, time.GetUtcNow(), ct);
                break;
            case "promote":
                if (!caller.IsRoot) return Fail("普通管理员用户无法提升其他用户为管理员");
                if (target.Role >= Role.Admin) return Fail("该用户已经是管理员");
                role = Role.Admin;
                await users.SetRoleAsync(id, role, ct);
                break;
            case "demote":
                if (target.Role == Role.Root) return Fail("无法降级超级管理员用户");
                if (target.Role == Role.User) return Fail("该用户已经是普通用户");
                role = Role.User;
                await users.SetRoleAsync(id, role, ct);
                break;
            case "add_quota":
                return await ChangeQuotaAsync(ctx, caller, target, req, ct);
            default:
                return Fail("无效的参数");
        }
        await log.WriteAsync(ctx, caller, target.Id, target.Username, $"管理员 {caller.Username} 对用户执行了 {req.Action} 操作", "user.manage",
            new JsonObject { ["action"] = JsonValue.Create(req.Action), ["id"] = JsonValue.Create(id), ["username"] = JsonValue.Create(target.Username) },
            ct);
        return Results.Json(Api.Ok(new UserRoleStatusView((int)role, (int)status)), AccountJson.Default.EnvelopeUserRoleStatusView);
    }

    private async Task<IResult> ChangeQuotaAsync(HttpContext ctx, CurrentUser caller, Storage.Users.UserRow target, UserManageRequest req,
        CancellationToken ct)
    {
        QuotaChange? mode = req.Mode switch
        {
            "add" => QuotaChange.Add,
            "subtract" => QuotaChange.Subtract,
            "override" => QuotaChange.Override,
            _ => null,
        };
        if (mode is null || req.Value is not { } value) return Fail("无效的参数");
        if (mode != QuotaChange.Override && value <= 0) return Fail("额度变更值必须大于 0");
        if (value < 0) return Fail("额度不能为负数");
        var o = options.Current;
        var ceiling = 1_000_000_000L * (long)o.QuotaPerUnit;
        if (value > ceiling) return Fail($"额度值超出有效范围，最大值为 {ceiling}");
        if (await users.ChangeQuotaAsync(target.Id, mode.Value, value, ct) is not { } change)
            return Fail("额度不足，用户额度不能为负数");
        var content = mode switch
        {
            QuotaChange.Add => "管理员增加用户额度 " + QuotaText.Format(value, o),
            QuotaChange.Subtract => "管理员减少用户额度 " + QuotaText.Format(value, o),
            _ => $"管理员将用户额度从 {QuotaText.Format(change.Old, o)} 修改为 {QuotaText.Format(change.New, o)}",
        };
        await log.WriteAsync(ctx, caller, target.Id, target.Username, content, "user.quota_add", new JsonObject
        {
            ["mode"] = JsonValue.Create(req.Mode), ["value"] = JsonValue.Create(value),
            ["old_quota"] = JsonValue.Create(change.Old), ["new_quota"] = JsonValue.Create(change.New),
        }, ct);
        return Results.Json(Api.Ok(), AdminJson.Default.Reply);
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
