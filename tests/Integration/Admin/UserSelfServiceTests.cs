using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;
using NewApi.Storage.Users;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>Usable groups, models, invite code and transfer, notification settings and check-in.</summary>
public sealed class UserSelfServiceTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private Task SetAsync(string key, string value) => gw.Services.GetRequiredService<OptionsStore>().SetAsync(key, value);
    private UserRepository Users => gw.Services.GetRequiredService<UserRepository>();

    private async Task SetGroupAsync(long id, string group)
    {
        var u = (await Users.FindAsync(id))!;
        await Users.UpdateByAdminAsync(id, new UserRepository.AdminEdit(u.Username, u.DisplayName, group, u.Remark, null));
    }

    private static List<string> Keys(JsonElement data) => data.EnumerateObject().Select(p => p.Name).Order().ToList();

    [Fact]
    public async Task Groups_AnonymousSeeTheDefaultSet_UsersSeeSpecialRulesGroupRatiosAndAuto()
    {
        await SetAsync("GroupRatio", """{"default":1,"vip":2,"svip":3,"hidden":4}""");
        await SetAsync("UserUsableGroups", """{"default":"默认分组","vip":"vip分组","auto":"自动选择"}""");
        await SetAsync("GroupGroupRatio", """{"vip":{"default":0.5}}""");
        await SetAsync("group_ratio_setting.group_special_usable_group", """{"vip":{"+:svip":"超级","-:default":""}}""");
        using var anon = gw.Anonymous();
        var anonymous = await TestClient.ReadAsync(await anon.GetAsync("/api/user/groups"));
        Assert.Equal(["auto", "default", "vip"], Keys(anonymous.GetProperty("data")));
        Assert.Equal("自动", anonymous.GetProperty("data").GetProperty("auto").GetProperty("ratio").GetString());
        Assert.Equal(2, anonymous.GetProperty("data").GetProperty("vip").GetProperty("ratio").GetDouble());

        using var vip = await gw.UserAsync("grp_vip");
        await SetGroupAsync(vip.UserId, "vip");
        var mine = (await vip.GetAsync("/api/user/self/groups")).GetProperty("data");
        Assert.Equal(["auto", "svip", "vip"], Keys(mine));
        Assert.Equal("超级", mine.GetProperty("svip").GetProperty("desc").GetString());

        using var plain = await gw.UserAsync("grp_plain");
        await SetGroupAsync(plain.UserId, "hidden");
        var own = (await plain.GetAsync("/api/user/self/groups")).GetProperty("data");
        Assert.Equal(["auto", "default", "hidden", "vip"], Keys(own));   // the user's own group is always usable
        Assert.Equal("用户分组", own.GetProperty("hidden").GetProperty("desc").GetString());
    }

    [Fact]
    public async Task Models_ComeFromEnabledAbilitiesOfUsableGroupsOnly()
    {
        await SetAsync("GroupRatio", """{"default":1,"vip":2,"svip":3}""");
        await SetAsync("UserUsableGroups", """{"default":"默认分组","auto":"自动"}""");
        await SetAsync("AutoGroups", """["vip","default"]""");
        await SetAsync("group_ratio_setting.group_special_usable_group", "{}");
        var channels = gw.Services.GetRequiredService<ChannelRepository>();
        await channels.InsertManyAsync(
        [
            new ChannelRow { Name = "m1", Type = ChannelType.OpenAI, Models = "m-default,m-shared", Group = "default" },
            new ChannelRow { Name = "m2", Type = ChannelType.OpenAI, Models = "m-vip,m-shared", Group = "vip" },
            new ChannelRow { Name = "m3", Type = ChannelType.OpenAI, Models = "m-secret", Group = "svip" },
            new ChannelRow { Name = "m4", Type = ChannelType.OpenAI, Models = "m-off", Group = "default", Status = ChannelStatus.ManuallyDisabled },
        ]);
        using var user = await gw.UserAsync("models_user");
        List<string> Names(JsonElement reply) => reply.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(["m-default", "m-shared"], Names(await user.GetAsync("/api/user/models")));
        Assert.Empty(Names(await user.GetAsync("/api/user/models?group=svip")));
        Assert.Equal(["m-default", "m-shared"], Names(await user.GetAsync("/api/user/models?group=default")));
        await SetGroupAsync(user.UserId, "vip");
        Assert.Equal(["m-default", "m-shared", "m-vip"], Names(await user.GetAsync("/api/user/models")));
        Assert.Equal(["m-default", "m-shared", "m-vip"], Names(await user.GetAsync("/api/user/models?group=auto")));
    }

    [Fact]
    public async Task AffCode_IsCreatedOnce_AndTransferNeedsComplianceMinimumAndBalance()
    {
        using var user = await gw.UserAsync("aff_user");
        var code = (await user.GetAsync("/api/user/aff")).GetProperty("data").GetString()!;
        Assert.Matches("^[0-9A-Za-z]{4,}$", code);
        Assert.Equal(code, (await user.GetAsync("/api/user/aff")).GetProperty("data").GetString());

        await using (var conn = await gw.Services.GetRequiredService<NewApi.Storage.SqliteDb>().OpenAsync())
            await NewApi.Storage.SqlExtensions.ExecuteAsync(conn, "UPDATE users SET aff_quota = 800000 WHERE id = $id", null, default, ("$id", user.UserId));
        await SetAsync("payment_setting.compliance_confirmed", "false");
        JsonAssert.Failure(await user.PostAsync("/api/user/aff_transfer", new { quota = 500000 }));
        await SetAsync("payment_setting.compliance_confirmed", "true");
        JsonAssert.Failure(await user.PostAsync("/api/user/aff_transfer", new { quota = 1000 }));          // below one unit
        JsonAssert.Success(await user.PostAsync("/api/user/aff_transfer", new { quota = 500000 }));
        Assert.Equal("邀请额度不足！", (await user.PostAsync("/api/user/aff_transfer", new { quota = 500000 })).GetProperty("message").GetString());
        var row = (await Users.FindAsync(user.UserId))!;
        Assert.Equal((500000L, 300000L), (row.Quota, row.AffQuota));
    }

    /// <summary>A body whose strings cannot be read (invalid UTF-8, an unpaired surrogate escape) is refused in the envelope;
    /// it used to be a 500.</summary>
    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'d', (byte)'i', (byte)'s', (byte)'p', (byte)'l', (byte)'a', (byte)'y', (byte)'_', (byte)'n', (byte)'a', (byte)'m', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'d', (byte)'i', (byte)'s', (byte)'p', (byte)'l', (byte)'a', (byte)'y', (byte)'_', (byte)'n', (byte)'a', (byte)'m', (byte)'e', (byte)'"', (byte)':', (byte)'"', (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0', (byte)'"', (byte)'}' })]
    public async Task UpdateSelf_WithUndecodableStrings_FailsInTheEnvelope(byte[] body)
    {
        using var user = await gw.UserAsync("bad_utf8_" + body.Length);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var resp = await user.Http.PutAsync("/api/user/self", content);
        Assert.True((int)resp.StatusCode < 500, $"{(int)resp.StatusCode}");
        JsonAssert.Failure(await TestClient.ReadAsync(resp));
    }

    [Fact]
    public async Task NotifySetting_IsValidated_AndKeepsTheRestOfTheUserSetting()
    {
        using var user = await gw.UserAsync("set_user");
        JsonAssert.Success(await user.PutAsync("/api/user/self", new { sidebar_modules = "{\"chat\":{\"enabled\":false}}" }));
        JsonAssert.Failure(await user.PutAsync("/api/user/setting", new { notify_type = "pigeon", quota_warning_threshold = 1 }));
        JsonAssert.Failure(await user.PutAsync("/api/user/setting", new { notify_type = "email", quota_warning_threshold = 0 }));
        JsonAssert.Failure(await user.PutAsync("/api/user/setting", new { notify_type = "webhook", quota_warning_threshold = 5, webhook_url = "ftp://x" }));
        JsonAssert.Failure(await user.PutAsync("/api/user/setting", new { notify_type = "gotify", quota_warning_threshold = 5, gotify_url = "https://g.example.com" }));
        JsonAssert.Success(await user.PutAsync("/api/user/setting", new
        {
            notify_type = "bark", quota_warning_threshold = 1234.5, bark_url = "https://api.day.app/key/{{title}}", record_ip_log = true,
            upstream_model_update_notify_enabled = true,
        }));
        var setting = JsonDocument.Parse((await Users.FindAsync(user.UserId))!.Setting).RootElement;
        Assert.Equal("bark", setting.GetProperty("notify_type").GetString());
        Assert.Equal(1234.5, setting.GetProperty("quota_warning_threshold").GetDouble());
        Assert.True(setting.GetProperty("record_ip_log").GetBoolean());
        Assert.False(setting.TryGetProperty("upstream_model_update_notify_enabled", out _));   // admins only
        // NewApi: New API rebuilt the setting here and lost the sidebar layout.
        Assert.Contains("enabled", setting.GetProperty("sidebar_modules").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkin_OncePerDay_AwardsWithinRange_AndReportsStats()
    {
        using var user = await gw.UserAsync("ci_user");
        await SetAsync("checkin_setting.enabled", "false");
        Assert.Equal("签到功能未启用", (await user.GetAsync("/api/user/checkin")).GetProperty("message").GetString());
        JsonAssert.Failure(await user.PostAsync("/api/user/checkin", new { }));
        await SetAsync("checkin_setting.enabled", "true");
        await SetAsync("checkin_setting.min_quota", "10");
        await SetAsync("checkin_setting.max_quota", "20");

        var done = await user.PostAsync("/api/user/checkin", new { });
        JsonAssert.Success(done);
        Assert.Equal("签到成功", done.GetProperty("message").GetString());
        var awarded = done.GetProperty("data").GetProperty("quota_awarded").GetInt64();
        Assert.InRange(awarded, 10, 20);
        var date = done.GetProperty("data").GetProperty("checkin_date").GetString()!;
        Assert.Equal("今日已签到", (await user.PostAsync("/api/user/checkin", new { })).GetProperty("message").GetString());
        Assert.Equal(awarded, (await Users.FindAsync(user.UserId))!.Quota);

        var status = (await user.GetAsync("/api/user/checkin?month=" + date[..7])).GetProperty("data");
        Assert.True(status.GetProperty("enabled").GetBoolean());
        Assert.Equal((10, 20), (status.GetProperty("min_quota").GetInt64(), status.GetProperty("max_quota").GetInt64()));
        var stats = status.GetProperty("stats");
        Assert.True(stats.GetProperty("checked_in_today").GetBoolean());
        Assert.Equal((1, 1, awarded), (stats.GetProperty("checkin_count").GetInt32(), stats.GetProperty("total_checkins").GetInt64(),
            stats.GetProperty("total_quota").GetInt64()));
        Assert.Equal(date, stats.GetProperty("records")[0].GetProperty("checkin_date").GetString());
        JsonAssert.Failure(await user.GetAsync("/api/user/checkin?month=2025-13"));
        Assert.Equal(0, (await user.GetAsync("/api/user/checkin?month=1999-01")).GetProperty("data").GetProperty("stats").GetProperty("checkin_count").GetInt32());
    }

    [Fact]
    public async Task Redeem_CreditsOnce_RefusesUsedExpiredDisabledCodes_AndNeedsCompliance()
    {
        using var user = await gw.UserAsync("redeem_user");
        var db = gw.Services.GetRequiredService<NewApi.Storage.SqliteDb>();
        await using (var conn = await db.OpenAsync())
            await NewApi.Storage.SqlExtensions.ExecuteAsync(conn, """
                INSERT INTO redemptions("key", status, name, quota, created_time, expired_time) VALUES
                    ('code-good-0000000000000000000001', 1, 'good', 1500, 1, 0),
                    ('code-expired-000000000000000000001', 1, 'old', 1500, 1, 1000),
                    ('code-disabled-00000000000000000001', 2, 'off', 1500, 1, 0)
                """, null, default);
        await SetAsync("payment_setting.compliance_confirmed", "false");
        JsonAssert.Failure(await user.PostAsync("/api/user/topup", new { key = "code-good-0000000000000000000001" }));
        await SetAsync("payment_setting.compliance_confirmed", "true");
        var ok = await user.PostAsync("/api/user/topup", new { key = "code-good-0000000000000000000001" });
        JsonAssert.Success(ok);
        Assert.Equal(1500, ok.GetProperty("data").GetInt64());
        Assert.Equal(1500, (await Users.FindAsync(user.UserId))!.Quota);
        foreach (var key in new[] { "code-good-0000000000000000000001", "code-expired-000000000000000000001", "code-disabled-00000000000000000001", "", "nope" })
            Assert.Equal("兑换失败，请稍后重试", (await user.PostAsync("/api/user/topup", new { key })).GetProperty("message").GetString());
        Assert.Equal(1500, (await Users.FindAsync(user.UserId))!.Quota);
        await using var check = await db.OpenAsync();
        Assert.Equal(user.UserId, await NewApi.Storage.SqlExtensions.ScalarLongAsync(check,
            "SELECT used_user_id FROM redemptions WHERE name = 'good' AND status = 3", null, default));
        Assert.Equal(1, await NewApi.Storage.SqlExtensions.ScalarLongAsync(check,
            "SELECT COUNT(1) FROM logs WHERE user_id = $u AND type = 1", null, default, ("$u", user.UserId)));
    }

    [Fact]
    public async Task UpdateSelf_UsesTheSameFieldRulesAsRegistration()
    {
        using var user = await gw.UserAsync("self_rules", password: "user-password-123");
        JsonAssert.Failure(await user.PutAsync("/api/user/self", new { username = "bad%name" }));
        JsonAssert.Failure(await user.PutAsync("/api/user/self", new { display_name = new string('d', 21) }));
        JsonAssert.Failure(await user.PutAsync("/api/user/self", new { password = "short", original_password = "user-password-123" }));
        var longPassword = "a passphrase well beyond twenty characters";
        JsonAssert.Success(await user.PutAsync("/api/user/self", new { password = longPassword, original_password = "user-password-123", username = "self_rules2" }));
        using var again = await gw.LoginAsync("self_rules2", longPassword);
    }
}
