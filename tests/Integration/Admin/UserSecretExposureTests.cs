using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>
/// No account route ever returns a password hash or an access token other than the caller's own freshly issued one:
/// every reply body below is scanned as raw text for every user's hash, stored token hash and issued token.
/// </summary>
public sealed class UserSecretExposureTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task AccountReplies_NeverCarryHashesOrOtherUsersAccessTokens()
    {
        var root = await gw.RootAsync();
        using var admin = await gw.UserAsync("exp_admin", Role.Admin);
        using var user = await gw.UserAsync("exp_user");
        var tokens = new List<string>();
        foreach (var c in new[] { root, admin, user })
            tokens.Add((await c.GetAsync("/api/user/token")).GetProperty("data").GetString()!);

        var bodies = new List<string>();
        async Task Get(TestClient c, string path) => bodies.Add(await (await c.Http.GetAsync(path)).Content.ReadAsStringAsync());
        async Task Post(TestClient c, string path, object body) => bodies.Add(await (await c.Http.PostAsJsonAsync(path, body)).Content.ReadAsStringAsync());
        async Task Put(TestClient c, string path, object body) => bodies.Add(await (await c.Http.PutAsJsonAsync(path, body)).Content.ReadAsStringAsync());

        foreach (var c in new[] { root, admin })
        {
            await Get(c, "/api/user/?page_size=100");
            await Get(c, "/api/user/search?keyword=exp");
            await Get(c, $"/api/user/{user.UserId}");
            await Get(c, $"/api/user/{admin.UserId}");
            await Get(c, $"/api/user/{root.UserId}");
        }
        await Post(root, "/api/user/manage", new { id = user.UserId, action = "disable" });
        await Post(root, "/api/user/manage", new { id = user.UserId, action = "enable" });
        await Put(admin, "/api/user/", new { id = user.UserId, display_name = "shown" });
        await Post(admin, "/api/user/", new { username = "exp_new", password = "password-123" });
        foreach (var c in new[] { root, admin, user })
        {
            await Get(c, "/api/user/self");
            await Get(c, "/api/user/self/groups");
            await Get(c, "/api/user/aff");
        }
        using var anon = gw.Anonymous();
        bodies.Add(await (await anon.PostAsJsonAsync("/api/user/register", new { username = "exp_reg", password = "password-123" })).Content.ReadAsStringAsync());
        bodies.Add(await (await anon.PostAsJsonAsync("/api/user/login", new { username = "exp_reg", password = "password-123" })).Content.ReadAsStringAsync());

        var secrets = new List<string>(tokens);
        await using (var conn = await gw.Services.GetRequiredService<SqliteDb>().OpenAsync())
            secrets.AddRange(await conn.QueryAsync("SELECT password FROM users UNION SELECT access_token FROM users WHERE access_token IS NOT NULL",
                null, r => r.Str(0), default));
        secrets.RemoveAll(s => s.Length < 16);
        Assert.True(secrets.Count >= 8);
        Assert.True(bodies.Count > 20);
        foreach (var body in bodies)
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
    }
}
