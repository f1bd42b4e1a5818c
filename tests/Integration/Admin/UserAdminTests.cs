using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Users;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class UserAdminTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private UserRepository Users => gw.Services.GetRequiredService<UserRepository>();

    private async Task<long> IdOf(string name) => (await Users.FindByUsernameAsync(name))!.Id;

    private static JsonElement Items(JsonElement page) => page.GetProperty("data").GetProperty("items");

    [Fact]
    public async Task List_ShowsSoftDeletedUsers_InNewApiShape_WithoutHashesTokensOrNotificationSecrets()
    {
        var root = await gw.RootAsync();
        using var victim = await gw.UserAsync("list_victim");
        var accessToken = (await victim.GetAsync("/api/user/token")).GetProperty("data").GetString()!;
        JsonAssert.Success(await victim.PutAsync("/api/user/setting",
            new { notify_type = "webhook", quota_warning_threshold = 10, webhook_url = "https://hook.example.com/x", webhook_secret = "hook-secret-value" }));
        JsonAssert.Success(await root.PostAsync("/api/user/manage", new { id = victim.UserId, action = "delete" }));

        var resp = await root.Http.GetAsync("/api/user/?p=1&page_size=100");
        var raw = await resp.Content.ReadAsStringAsync();
        var hash = (await Users.FindAsync(victim.UserId, includeDeleted: true))!.PasswordHash;
        Assert.DoesNotContain(hash, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretBoxHex(accessToken), raw, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret-value", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", raw, StringComparison.Ordinal);

        var item = Items(JsonDocument.Parse(raw).RootElement).EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == victim.UserId);
        Assert.False(item.GetProperty("DeletedAt").ValueKind == JsonValueKind.Null);
        Assert.Equal("", item.GetProperty("password").GetString());
        Assert.Equal("", item.GetProperty("original_password").GetString());
        Assert.Equal("", item.GetProperty("verification_code").GetString());
        Assert.Contains("hook.example.com", item.GetProperty("setting").GetString(), StringComparison.Ordinal);
        Assert.True(item.TryGetProperty("aff_history_quota", out _));
        Assert.False(item.TryGetProperty("remark", out _));   // omitted when empty, as New API

        var single = await root.Http.GetAsync($"/api/user/{(await gw.UserAsync("list_single")).UserId}");
        var singleRaw = await single.Content.ReadAsStringAsync();
        Assert.DoesNotContain((await Users.FindByUsernameAsync("list_single"))!.PasswordHash, singleRaw, StringComparison.Ordinal);
    }

    private static string SecretBoxHex(string token) => NewApi.Auth.SecretBox.Sha256Hex(token);

    [Fact]
    public async Task Search_FiltersByKeywordIdGroupRoleAndStatus()
    {
        var root = await gw.RootAsync();
        using var a = await gw.UserAsync("search_alpha");
        using var b = await gw.UserAsync("search_beta", Role.Admin);
        using var c = await gw.UserAsync("search_gamma");
        JsonAssert.Success(await root.PostAsync("/api/user/manage", new { id = c.UserId, action = "delete" }));
        JsonAssert.Success(await root.PutAsync("/api/user/", new { id = a.UserId, group = "vip" }));

        async Task<List<string>> Names(string query) =>
            Items(await root.GetAsync("/api/user/search?page_size=100&" + query)).EnumerateArray().Select(u => u.GetProperty("username").GetString()!).ToList();

        Assert.Equal(["search_gamma", "search_beta", "search_alpha"], await Names("keyword=search_"));
        Assert.Equal(["search_beta"], await Names("keyword=" + b.UserId + "&role=10"));
        Assert.Equal(["search_alpha"], await Names("keyword=search_&group=vip"));
        Assert.Equal(["search_gamma"], await Names("keyword=search_&status=-1"));
        Assert.Equal(["search_beta", "search_alpha"], await Names("keyword=search_&status=1"));
        Assert.Empty(await Names("keyword=search%25zzz"));   // '%' is literal, not a wildcard
        Assert.Equal(["search_alpha", "search_beta", "search_gamma"], await Names("keyword=search_&sort_by=username&sort_order=asc"));
    }

    [Fact]
    public async Task Get_And_Update_FollowTheTargetRoleRule()
    {
        var root = await gw.RootAsync();
        using var admin = await gw.UserAsync("rr_admin", Role.Admin);
        using var admin2 = await gw.UserAsync("rr_admin2", Role.Admin);
        using var user = await gw.UserAsync("rr_user");
        JsonAssert.Success(await admin.GetAsync($"/api/user/{user.UserId}"));
        Assert.Equal("无权获取同级或更高等级用户的信息", (await admin.GetAsync($"/api/user/{admin2.UserId}")).GetProperty("message").GetString());
        JsonAssert.Failure(await admin.GetAsync($"/api/user/{root.UserId}"));
        JsonAssert.Success(await root.GetAsync($"/api/user/{admin2.UserId}"));
        JsonAssert.Success(await root.GetAsync($"/api/user/{root.UserId}"));

        JsonAssert.Failure(await admin.PutAsync("/api/user/", new { id = admin2.UserId, display_name = "nope" }));
        JsonAssert.Failure(await admin.PutAsync("/api/user/", new { id = user.UserId, role = 10 }));   // role changes go through manage
        JsonAssert.Success(await admin.PutAsync("/api/user/", new
        {
            id = user.UserId, username = "rr_user_renamed", display_name = "Renamed", group = "vip", remark = "note", role = 1,
            password = "brand-new-password", quota = 999999, DeletedAt = (string?)null,
        }));
        var row = (await Users.FindAsync(user.UserId))!;
        Assert.Equal(("rr_user_renamed", "Renamed", "vip", "note", 0L), (row.Username, row.DisplayName, row.Group, row.Remark, row.Quota));
        using var relogin = await gw.LoginAsync("rr_user_renamed", "brand-new-password");
        Assert.Equal("用户名已存在", (await admin.PutAsync("/api/user/", new { id = user.UserId, username = "rr_admin" })).GetProperty("message").GetString());
        Assert.Equal("note", (await admin.GetAsync($"/api/user/{user.UserId}")).GetProperty("data").GetProperty("remark").GetString());
    }

    [Fact]
    public async Task Create_RoleMustBeBelowTheCaller()
    {
        var root = await gw.RootAsync();
        using var admin = await gw.UserAsync("cr_admin", Role.Admin);
        JsonAssert.Success(await admin.PostAsync("/api/user/", new { username = "cr_plain", password = "password-123" }));
        Assert.Equal(Role.User, (await Users.FindByUsernameAsync("cr_plain"))!.Role);
        Assert.Equal("无法创建权限大于等于自己的用户",
            (await admin.PostAsync("/api/user/", new { username = "cr_admin2", password = "password-123", role = 10 })).GetProperty("message").GetString());
        JsonAssert.Success(await root.PostAsync("/api/user/", new { username = "cr_admin3", password = "password-123", role = 10, display_name = "Three" }));
        Assert.Equal((Role.Admin, "Three"), ((await Users.FindByUsernameAsync("cr_admin3"))!.Role, (await Users.FindByUsernameAsync("cr_admin3"))!.DisplayName));
        JsonAssert.Failure(await root.PostAsync("/api/user/", new { username = "cr_root", password = "password-123", role = 100 }));
        JsonAssert.Failure(await root.PostAsync("/api/user/", new { username = "cr_plain", password = "password-123" }));
        JsonAssert.Failure(await root.PostAsync("/api/user/", new { username = "cr_short", password = "short" }));
        JsonAssert.Failure(await root.PostAsync("/api/user/", new { username = "cr_norole", password = "password-123", role = 5 }));
        using var login = await gw.LoginAsync("cr_plain", "password-123");
    }

    [Fact]
    public async Task HardDelete_NeedsAStrictlyHigherRole_AndTakesTheUsersKeysWithIt()
    {
        var root = await gw.RootAsync();
        using var admin = await gw.UserAsync("hd_admin", Role.Admin);
        using var admin2 = await gw.UserAsync("hd_admin2", Role.Admin);
        using var user = await gw.UserAsync("hd_user");
        JsonAssert.Success(await user.PostAsync("/api/token/", new { name = "k", unlimited_quota = true }));
        Assert.Equal("无权删除同权限等级或更高权限等级的用户", (await admin.DeleteAsync($"/api/user/{admin2.UserId}")).GetProperty("message").GetString());
        JsonAssert.Failure(await root.DeleteAsync($"/api/user/{root.UserId}"));
        JsonAssert.Success(await admin.DeleteAsync($"/api/user/{user.UserId}"));
        Assert.Null(await Users.FindAsync(user.UserId, includeDeleted: true));
        await using var conn = await gw.Services.GetRequiredService<SqliteDb>().OpenAsync();
        Assert.Equal(0, await conn.ScalarLongAsync("SELECT COUNT(1) FROM tokens WHERE user_id = $u", null, default, ("$u", user.UserId)));
        JsonAssert.Success(await root.DeleteAsync($"/api/user/{admin2.UserId}"));
        JsonAssert.Failure(await root.DeleteAsync($"/api/user/{admin2.UserId}"));
    }

    [Fact]
    public async Task Manage_DisableAndDelete_EndSessionsAtOnce_AndRaiseInvalidated()
    {
        var root = await gw.RootAsync();
        using var admin = await gw.UserAsync("mg_admin", Role.Admin);
        using var user = await gw.UserAsync("mg_user");
        var seen = new ConcurrentBag<long>();
        void Track(long id) => seen.Add(id);
        Users.Invalidated += Track;
        try
        {
            JsonAssert.Success(await user.GetAsync("/api/user/self"));
            var disabled = await admin.PostAsync("/api/user/manage", new { id = user.UserId, action = "disable" });
            Assert.Equal((1, 2), (disabled.GetProperty("data").GetProperty("role").GetInt32(), disabled.GetProperty("data").GetProperty("status").GetInt32()));
            Assert.Contains(user.UserId, seen);
            // NewApi: New API kept a disabled user's session alive until the cookie expired.
            Assert.Equal(NewApi.Auth.AuthTexts.UserBanned, (await user.GetAsync("/api/user/self")).GetProperty("message").GetString());
            JsonAssert.Success(await admin.PostAsync("/api/user/manage", new { id = user.UserId, action = "enable" }));
            JsonAssert.Success(await user.GetAsync("/api/user/self"));
            seen.Clear();
            JsonAssert.Success(await admin.PostAsync("/api/user/manage", new { id = user.UserId, action = "delete" }));
            Assert.Contains(user.UserId, seen);
            var after = await user.Http.GetAsync("/api/user/self");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, after.StatusCode);
        }
        finally
        {
            Users.Invalidated -= Track;
        }
        var log = await LastManageLogAsync(user.UserId);
        Assert.Equal("user.manage", log.GetProperty("op").GetProperty("action").GetString());
        Assert.Equal("delete", log.GetProperty("op").GetProperty("params").GetProperty("action").GetString());
        Assert.Equal(admin.UserId, log.GetProperty("admin_info").GetProperty("admin_id").GetInt64());
        _ = root;
    }

    [Fact]
    public async Task Manage_PromoteDemote_FollowNewApiRoleRules()
    {
        var root = await gw.RootAsync();
        using var admin = await gw.UserAsync("pd_admin", Role.Admin);
        using var user = await gw.UserAsync("pd_user");
        Assert.Equal("普通管理员用户无法提升其他用户为管理员",
            (await admin.PostAsync("/api/user/manage", new { id = user.UserId, action = "promote" })).GetProperty("message").GetString());
        var promoted = await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "promote" });
        Assert.Equal(10, promoted.GetProperty("data").GetProperty("role").GetInt32());
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "promote" }));
        JsonAssert.Success(await user.GetAsync("/api/user/"));                     // admin routes open at once
        Assert.Equal(UserManageServiceNoPermission,
            (await admin.PostAsync("/api/user/manage", new { id = user.UserId, action = "demote" })).GetProperty("message").GetString());
        JsonAssert.Success(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "demote" }));
        Assert.Equal(NewApi.Auth.AuthTexts.InsufficientRole, (await user.GetAsync("/api/user/")).GetProperty("message").GetString());
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "demote" }));
        foreach (var action in new[] { "disable", "delete", "demote" })
            JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = root.UserId, action }));
        JsonAssert.Failure(await admin.PostAsync("/api/user/manage", new { id = root.UserId, action = "disable" }));
        JsonAssert.Failure(await admin.PostAsync("/api/user/manage", new { id = admin.UserId, action = "disable" }));
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "explode" }));
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = 999999, action = "enable" }));
        Assert.Equal(Role.Root, (await Users.FindAsync(root.UserId))!.Role);
    }

    private const string UserManageServiceNoPermission = NewApi.Admin.Users.UserManageService.NoPermission;

    [Fact]
    public async Task Manage_AddQuota_AddSubtractOverride_NeverBelowZero_AndLogged()
    {
        var root = await gw.RootAsync();
        using var user = await gw.UserAsync("q_user");
        async Task<long> Quota() => (await Users.FindAsync(user.UserId))!.Quota;
        var added = await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "add", value = 100 });
        JsonAssert.Success(added);
        Assert.False(added.TryGetProperty("data", out _));
        Assert.Equal(100, await Quota());
        JsonAssert.Success(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "subtract", value = 30 }));
        Assert.Equal(70, await Quota());
        // NewApi: New API let subtract and override push a balance below zero.
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "subtract", value = 71 }));
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "override", value = -5 }));
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "add", value = 0 }));
        JsonAssert.Failure(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "double", value = 5 }));
        Assert.Equal(70, await Quota());
        JsonAssert.Success(await root.PostAsync("/api/user/manage", new { id = user.UserId, action = "add_quota", mode = "override", value = 5 }));
        Assert.Equal(5, await Quota());
        var log = await LastManageLogAsync(user.UserId);
        Assert.Equal("user.quota_add", log.GetProperty("op").GetProperty("action").GetString());
        Assert.Equal(70, log.GetProperty("op").GetProperty("params").GetProperty("old_quota").GetInt64());
        Assert.Equal(5, log.GetProperty("op").GetProperty("params").GetProperty("new_quota").GetInt64());
    }

    [Fact]
    public async Task ClearBinding_EmptiesOneBuiltInBinding()
    {
        var root = await gw.RootAsync();
        using var user = await gw.UserAsync("bind_user");
        await using (var conn = await gw.Services.GetRequiredService<SqliteDb>().OpenAsync())
            await conn.ExecuteAsync("UPDATE users SET github_id = '42', email = 'b@example.com' WHERE id = $id", null, default, ("$id", user.UserId));
        var reply = await root.DeleteAsync($"/api/user/{user.UserId}/bindings/github");
        JsonAssert.Success(reply);
        Assert.Equal("success", reply.GetProperty("message").GetString());
        var row = (await Users.FindAsync(user.UserId))!;
        Assert.Equal(("", "b@example.com"), (row.GithubId, row.Email));
        JsonAssert.Failure(await root.DeleteAsync($"/api/user/{user.UserId}/bindings/myspace"));
        using var admin = await gw.UserAsync("bind_admin", Role.Admin);
        JsonAssert.Failure(await admin.DeleteAsync($"/api/user/{root.UserId}/bindings/email"));
    }

    private async Task<JsonElement> LastManageLogAsync(long userId)
    {
        await using var conn = await gw.Services.GetRequiredService<SqliteDb>().OpenAsync();
        var other = await conn.ScalarStringAsync("SELECT other FROM logs WHERE user_id = $u AND type = 3 ORDER BY id DESC LIMIT 1", null, default,
            ("$u", userId));
        return JsonDocument.Parse(other!).RootElement.Clone();
    }
}
