using System.Text.Json;
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

/// <summary>/api/user/self (GET/PUT/DELETE) and /api/user/token (system access token).</summary>
public static class SelfEndpoints
{
    public static RouteGroupBuilder MapUserSelf(this RouteGroupBuilder api)
    {
        var user = api.MapGroup("/user").RequireRole(Role.User);
        user.MapGet("/self", GetSelfAsync);
        user.MapPut("/self", UpdateSelfAsync).RateLimited(RateLimitKind.Critical);
        user.MapDelete("/self", DeleteSelfAsync);
        user.MapGet("/token", GenerateAccessTokenAsync);
        return api;
    }

    public static SelfView ToSelfView(UserRow u) => new()
    {
        Id = u.Id, Username = u.Username, DisplayName = u.DisplayName, Role = (int)u.Role, Status = (int)u.Status, Email = u.Email,
        GithubId = u.GithubId, DiscordId = u.DiscordId, OidcId = u.OidcId, WechatId = u.WechatId, TelegramId = u.TelegramId,
        Group = u.Group, Quota = u.Quota, UsedQuota = u.UsedQuota, RequestCount = u.RequestCount, AffCode = u.AffCode, AffCount = u.AffCount,
        AffQuota = u.AffQuota, AffHistoryQuota = u.AffHistory, InviterId = u.InviterId, LinuxDoId = u.LinuxDoId, Setting = u.Setting,
        StripeCustomer = u.StripeCustomer, SidebarModules = SettingString(u.Setting, "sidebar_modules"),
        Permissions = new SelfPermissions { SidebarModules = SettingString(u.Setting, "sidebar_modules") },
    };

    private static async Task<IResult> GetSelfAsync(HttpContext ctx, UserRepository users, CancellationToken ct) =>
        await users.FindAsync(ctx.CurrentUser().Id, ct) is { } u
            ? Results.Json(Api.Ok(ToSelfView(u)), AdminJson.Default.EnvelopeSelfView)
            : Results.Json(Api.Fail("用户不存在"), AdminJson.Default.Reply);

    private static async Task<Reply> UpdateSelfAsync(HttpContext ctx, UserRepository users, PasswordHasher hasher, CancellationToken ct)
    {
        var body = await JsonBody.ReadElementAsync(ctx.Request, ct);
        if (body is not { ValueKind: JsonValueKind.Object } obj) return Api.Fail("无效的参数");
        var me = await users.FindAsync(ctx.CurrentUser().Id, ct);
        if (me is null) return Api.Fail("用户不存在");

        // new-api: a body with sidebar_modules or language updates only that user setting.
        if (obj.TryGetProperty("sidebar_modules"u8, out var sidebar) && sidebar.ValueKind == JsonValueKind.String)
        {
            await users.UpdateSettingAsync(me.Id, UserSettings.With(me.Setting, "sidebar_modules", sidebar.GetString()!), ct);
            return Api.Message("更新成功");
        }
        if (obj.TryGetProperty("language"u8, out var lang) && lang.ValueKind == JsonValueKind.String)
        {
            await users.UpdateSettingAsync(me.Id, UserSettings.With(me.Setting, "language", lang.GetString()!), ct);
            return Api.Message("更新成功");
        }
        var username = Str(obj, "username")?.Trim();
        var display = Str(obj, "display_name")?.Trim();
        var password = Str(obj, "password");
        var original = Str(obj, "original_password") ?? "";
        var invalid = (username is { Length: > 0 } ? AccountRules.Username(username) : null)
                      ?? (display is null ? null : AccountRules.DisplayName(display))
                      ?? (string.IsNullOrEmpty(password) ? null : AccountRules.Password(password));
        if (invalid is not null) return Api.Fail(AccountRules.InvalidInput + " " + invalid);
        if (!string.IsNullOrEmpty(password))
        {
            if (me.PasswordHash.Length == 0) return Api.Fail("当前账户未设置密码");
            if (!hasher.Verify(original, me.PasswordHash, out _)) return Api.Fail("原密码错误");
            await users.UpdatePasswordAsync(me.Id, hasher.Hash(password), ct);
        }
        var newName = string.IsNullOrEmpty(username) ? me.Username : username;
        if (newName != me.Username && await users.UsernameExistsAsync(newName, ct)) return Api.Fail("用户名已存在");
        await users.UpdateProfileAsync(me.Id, newName, string.IsNullOrEmpty(display) ? me.DisplayName : display, ct);
        return Api.Ok();
    }

    private static async Task<Reply> DeleteSelfAsync(HttpContext ctx, UserRepository users, TimeProvider time, CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        if (me.Role == Role.Root) return Api.Fail("不能删除超级管理员账户");
        await users.SoftDeleteAsync(me.Id, time.GetUtcNow(), ct);
        return Api.Ok();
    }

    /// <summary>A new system access token replaces the old one; only its SHA-256 is stored (New API stored it in plaintext).</summary>
    private static async Task<Envelope<string>> GenerateAccessTokenAsync(HttpContext ctx, UserRepository users, CancellationToken ct)
    {
        var token = RandomStrings.AccessToken();
        await users.SetAccessTokenHashAsync(ctx.CurrentUser().Id, SecretBox.Sha256Hex(token), ct);
        return Api.Ok(token);
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string SettingString(string setting, string key)
    {
        if (string.IsNullOrEmpty(setting)) return "";
        try
        {
            using var doc = JsonDocument.Parse(setting);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}

/// <summary>Edits one key of the users.setting JSON object, keeping the others.</summary>
public static class UserSettings
{
    public static string With(string setting, string key, string value)
    {
        System.Text.Json.Nodes.JsonObject obj;
        try { obj = System.Text.Json.Nodes.JsonNode.Parse(string.IsNullOrEmpty(setting) ? "{}" : setting) as System.Text.Json.Nodes.JsonObject ?? []; }
        catch (JsonException) { obj = []; }
        obj[key] = value;
        return obj.ToJsonString();
    }
}
