using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Options;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class GroupTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task GroupList_IsTheGroupRatioNames_ForAdminsOnly()
    {
        await gw.Services.GetRequiredService<OptionsStore>().SetAsync("GroupRatio", """{"default":1,"vip":1.5,"svip":2}""");
        using var admin = await gw.UserAsync("grp_admin", Role.Admin);
        var names = (await admin.GetAsync("/api/group/")).GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["default", "vip", "svip"], names);
        using var user = await gw.UserAsync("grp_user");
        JsonAssert.Failure(await user.GetAsync("/api/group/"));
    }

    [Fact]
    public async Task PrefillGroups_Crud_WithUniqueNames_AnyJsonItems_AndTypeFilter()
    {
        using var admin = await gw.UserAsync("pf_admin", Role.Admin);
        var created = await admin.PostAsync("/api/prefill_group", new { name = "chat models", type = "model", items = new[] { "gpt-4o", "claude" }, description = "d" });
        JsonAssert.Success(created);
        var id = created.GetProperty("data").GetProperty("id").GetInt64();
        Assert.Equal("claude", created.GetProperty("data").GetProperty("items")[1].GetString());
        Assert.False(created.GetProperty("data").TryGetProperty("DeletedAt", out _));
        JsonAssert.Failure(await admin.PostAsync("/api/prefill_group", new { name = "chat models", type = "tag", items = Array.Empty<string>() }));
        JsonAssert.Failure(await admin.PostAsync("/api/prefill_group", new { name = "", type = "model" }));
        JsonAssert.Success(await admin.PostAsync("/api/prefill_group", new { name = "tags", type = "tag", items = new { a = 1 } }));

        var models = (await admin.GetAsync("/api/prefill_group?type=model")).GetProperty("data");
        Assert.Equal(["chat models"], models.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList());
        Assert.Equal(2, (await admin.GetAsync("/api/prefill_group")).GetProperty("data").GetArrayLength());

        var updated = await admin.PutAsync("/api/prefill_group", new { id, name = "renamed", type = "model", items = new[] { "x" }, description = "" });
        JsonAssert.Success(updated);
        Assert.Equal("renamed", updated.GetProperty("data").GetProperty("name").GetString());
        JsonAssert.Failure(await admin.PutAsync("/api/prefill_group", new { id, name = "tags", type = "model" }));
        JsonAssert.Failure(await admin.PutAsync("/api/prefill_group", new { id = 99999, name = "ghost", type = "model" }));

        JsonAssert.Success(await admin.DeleteAsync($"/api/prefill_group/{id}"));
        JsonAssert.Failure(await admin.DeleteAsync($"/api/prefill_group/{id}"));
        // The name of a deleted group is free again.
        JsonAssert.Success(await admin.PostAsync("/api/prefill_group", new { name = "renamed", type = "model" }));
        using var user = await gw.UserAsync("pf_user");
        JsonAssert.Failure(await user.GetAsync("/api/prefill_group"));
    }
}
