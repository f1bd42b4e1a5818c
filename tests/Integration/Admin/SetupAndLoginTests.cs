using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Users;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class SetupAndLoginTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Setup_FlowsFromUninitialisedToInitialised_AndRefusesASecondTime()
    {
        using var anon = gw.Anonymous();
        var before = await TestClient.ReadAsync(await anon.GetAsync("/api/setup"));
        JsonAssert.Success(before);
        if (before.GetProperty("data").GetProperty("status").GetBoolean()) return; // another test in this class ran setup first
        Assert.Equal("sqlite", before.GetProperty("data").GetProperty("database_type").GetString());

        var empty = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/setup", new { username = "", password = "12345678", confirmPassword = "12345678" }));
        JsonAssert.Failure(empty);   // NewApi: New API accepted an empty root name
        var mismatch = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/setup", new { username = "root", password = "12345678", confirmPassword = "12345679" }));
        JsonAssert.Failure(mismatch);
        var ok = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/setup", new { username = GatewayFixture.RootName, password = GatewayFixture.RootPassword, confirmPassword = GatewayFixture.RootPassword }));
        JsonAssert.Success(ok);
        var again = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/setup", new { username = "x", password = "12345678", confirmPassword = "12345678" }));
        JsonAssert.Failure(again);
        Assert.Equal("系统已经初始化完成", again.GetProperty("message").GetString());
        var after = await TestClient.ReadAsync(await anon.GetAsync("/api/setup"));
        Assert.True(after.GetProperty("data").GetProperty("status").GetBoolean());
        var root = await gw.Services.GetRequiredService<UserRepository>().FindByUsernameAsync(GatewayFixture.RootName);
        Assert.Equal(Role.Root, root!.Role);
        Assert.Equal(100_000_000, root.Quota);
        Assert.StartsWith("pbkdf2_sha256$", root.PasswordHash);
    }

    [Fact]
    public async Task Login_ReturnsUserAndSessionCookie_WrongPasswordAndDisabledUserLookTheSame()
    {
        await gw.RootAsync();
        using var user = await gw.UserAsync("alice", Role.User, quota: 42);
        var self = await user.GetAsync("/api/user/self");
        JsonAssert.Success(self);
        Assert.Equal("alice", self.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal(42, self.GetProperty("data").GetProperty("quota").GetInt64());
        Assert.False(self.GetProperty("data").TryGetProperty("password", out var pw) && pw.GetString()!.Length > 0);
        Assert.False(self.GetProperty("data").TryGetProperty("access_token", out _));

        using var anon = gw.Anonymous();
        var wrong = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/user/login", new { username = "alice", password = "nope-nope-nope" }));
        var unknown = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/user/login", new { username = "nobody", password = "nope-nope-nope" }));
        JsonAssert.Failure(wrong);
        Assert.Equal(wrong.GetProperty("message").GetString(), unknown.GetProperty("message").GetString());
    }

    [Fact]
    public async Task DisablingAUser_EndsTheirExistingSessionAtOnce()
    {
        using var bob = await gw.UserAsync("bob", Role.User);
        JsonAssert.Success(await bob.GetAsync("/api/user/self"));
        await gw.Services.GetRequiredService<UserRepository>().SetStatusAsync(bob.UserId, UserStatus.Disabled);
        var after = await bob.GetAsync("/api/user/self");
        JsonAssert.Failure(after);   // NewApi: New API kept the session alive until the cookie expired
    }

    [Fact]
    public async Task Logout_ClearsTheSession()
    {
        using var carol = await gw.UserAsync("carol", Role.User);
        JsonAssert.Success(await carol.GetAsync("/api/user/logout"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.Http.GetAsync("/api/user/self")).StatusCode);
    }

    [Fact]
    public async Task TamperedSessionCookie_IsIgnored()
    {
        using var dave = await gw.UserAsync("dave", Role.User);
        var cookie = dave.Cookies.GetCookies(gw.BaseAddress)["session"]!;
        cookie.Value = cookie.Value[..^4] + (cookie.Value[^4..] == "AAAA" ? "BBBB" : "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await dave.Http.GetAsync("/api/user/self")).StatusCode);
    }

    [Fact]
    public async Task AccessToken_WorksWithNewApiUserHeader_AndIsStoredHashed()
    {
        using var erin = await gw.UserAsync("erin", Role.User);
        var token = (await erin.GetAsync("/api/user/token")).GetProperty("data").GetString()!;
        Assert.InRange(token.Length, 28, 32);
        using var raw = new HttpClient { BaseAddress = gw.BaseAddress };
        raw.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        raw.DefaultRequestHeaders.Add("New-Api-User", erin.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var self = await TestClient.ReadAsync(await raw.GetAsync("/api/user/self"));
        JsonAssert.Success(self);
        var db = gw.Services.GetRequiredService<NewApi.Storage.SqliteDb>();
        await using var conn = await db.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT access_token FROM users WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", erin.UserId);
        var stored = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.NotEqual(token, stored);
        Assert.Equal(64, stored.Length);

        using var bad = new HttpClient { BaseAddress = gw.BaseAddress };
        bad.DefaultRequestHeaders.Add("Authorization", "Bearer not-a-token");
        bad.DefaultRequestHeaders.Add("New-Api-User", erin.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var refused = await TestClient.ReadAsync(await bad.GetAsync("/api/user/self"));
        JsonAssert.Failure(refused);
    }

    [Fact]
    public async Task UpdateSelf_ChangesPasswordOnlyWithTheOriginal()
    {
        using var frank = await gw.UserAsync("frank", Role.User, password: "first-password");
        JsonAssert.Failure(await frank.PutAsync("/api/user/self", new { password = "second-password", original_password = "wrong" }));
        JsonAssert.Success(await frank.PutAsync("/api/user/self", new { password = "second-password", original_password = "first-password", display_name = "Frank" }));
        using var again = await gw.LoginAsync("frank", "second-password");
        Assert.Equal("Frank", (await again.GetAsync("/api/user/self")).GetProperty("data").GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task DeleteSelf_SoftDeletesButRootCannot()
    {
        var root = await gw.RootAsync();
        JsonAssert.Failure(await root.DeleteAsync("/api/user/self"));
        using var gina = await gw.UserAsync("gina", Role.User);
        JsonAssert.Success(await gina.DeleteAsync("/api/user/self"));
        var row = await gw.Services.GetRequiredService<UserRepository>().FindAsync(gina.UserId, includeDeleted: true);
        Assert.NotNull(row!.DeletedAt);
    }
}
