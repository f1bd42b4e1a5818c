using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using NewApi.Common;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Auth;

public sealed class OAuthTests(OAuthFixture gw) : IClassFixture<OAuthFixture>
{
    private static async Task<string> StateAsync(TestClient client, string? aff = null)
    {
        var r = await client.GetAsync("/api/oauth/state" + (aff is null ? "" : "?aff=" + aff));
        JsonAssert.Success(r);
        return r.GetProperty("data").GetString()!;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> CallbackAsync(TestClient client, string provider, string code, string state)
    {
        var resp = await client.Http.GetAsync($"/api/oauth/{provider}?code={code}&state={state}");
        return (resp.StatusCode, await TestClient.ReadAsync(resp));
    }

    private async Task<(TestClient Client, JsonElement Body)> SignInAsync(string provider, string code)
    {
        var client = new TestClient(gw.BaseAddress);
        var (_, body) = await CallbackAsync(client, provider, code, await StateAsync(client));
        return (client, body);
    }

    [Fact]
    public async Task GitHub_SignUp_ThenSignIn_SameAccount()
    {
        gw.Fake.AddUser("gh1", new JsonObject { ["id"] = 9001, ["login"] = "octo_one", ["name"] = "Octo One", ["email"] = "octo1@example.com" });
        var (c1, first) = await SignInAsync("github", "gh1");
        JsonAssert.Success(first);
        var id = first.GetProperty("data").GetProperty("id").GetInt64();
        Assert.Equal("octo_one", first.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal("Octo One", first.GetProperty("data").GetProperty("display_name").GetString());
        SecurityFixture.UseIdentity(c1, id);
        var self = await c1.GetAsync("/api/user/self");
        Assert.Equal("9001", self.GetProperty("data").GetProperty("github_id").GetString());
        Assert.Equal("octo1@example.com", self.GetProperty("data").GetProperty("email").GetString());
        c1.Dispose();
        var token = gw.Fake.Last("/github/token")!;
        Assert.Equal("gh-client", token.Form["client_id"]);

        var (c2, second) = await SignInAsync("github", "gh1");
        c2.Dispose();
        Assert.Equal(id, second.GetProperty("data").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Username_TakenOrTooLong_FallsBackToPrefixAndNextId()
    {
        await gw.UserAsync("taken_name");
        gw.Fake.AddUser("dc1", new JsonObject { ["id"] = "d-1", ["username"] = "taken_name", ["global_name"] = "" });
        var (c1, r1) = await SignInAsync("discord", "dc1");
        c1.Dispose();
        Assert.StartsWith("discord_", r1.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal("taken_name", r1.GetProperty("data").GetProperty("display_name").GetString());
        gw.Fake.AddUser("dc2", new JsonObject { ["id"] = "d-2", ["username"] = "a_very_long_discord_username", ["global_name"] = "Long" });
        var (c2, r2) = await SignInAsync("discord", "dc2");
        c2.Dispose();
        Assert.StartsWith("discord_", r2.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal("https://console.test/oauth/discord", gw.Fake.Last("/discord/token")!.Form["redirect_uri"]);
    }

    [Fact]
    public async Task State_Missing_Mismatched_OrReused_Is403_UnknownProviderIs400()
    {
        gw.Fake.AddUser("gh-state", new JsonObject { ["id"] = 9100, ["login"] = "state_user" });
        using var client = new TestClient(gw.BaseAddress);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallbackAsync(client, "github", "gh-state", "")).Status);
        var state = await StateAsync(client);
        var (status, body) = await CallbackAsync(client, "github", "gh-state", state + "x");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        JsonAssert.Failure(body);
        state = await StateAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await CallbackAsync(client, "github", "gh-state", state)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallbackAsync(client, "github", "gh-state", state)).Status);
        using var other = new TestClient(gw.BaseAddress);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallbackAsync(other, "github", "gh-state", await StateAsync(client))).Status);
        var (unknown, _) = await CallbackAsync(client, "myspace", "x", await StateAsync(client));
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
    }

    [Fact]
    public async Task Bind_WhenSignedIn_SetsTheId_AndRefusesAnIdBoundElsewhere()
    {
        gw.Fake.AddUser("gh-bind", new JsonObject { ["id"] = 9200, ["login"] = "binder" });
        using var user = await gw.UserAsync("oauth_binder");
        var (_, bind) = await CallbackAsync(user, "github", "gh-bind", await StateAsync(user));
        JsonAssert.Success(bind);
        Assert.Equal("bind", bind.GetProperty("data").GetProperty("action").GetString());
        Assert.Equal("9200", (await user.GetAsync("/api/user/self")).GetProperty("data").GetProperty("github_id").GetString());
        using var other = await gw.UserAsync("oauth_binder2");
        var (_, again) = await CallbackAsync(other, "github", "gh-bind", await StateAsync(other));
        JsonAssert.Failure(again);
        var (c, login) = await SignInAsync("github", "gh-bind");
        c.Dispose();
        Assert.Equal(user.UserId, login.GetProperty("data").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task LinuxDo_UsesBasicAuth_AndEnforcesTrustLevel()
    {
        gw.Fake.AddUser("ld-low", new JsonObject { ["id"] = 77, ["username"] = "newbie", ["trust_level"] = 1 });
        gw.Fake.AddUser("ld-ok", new JsonObject { ["id"] = 78, ["username"] = "regular", ["name"] = "Regular", ["trust_level"] = 3 });
        var (c1, low) = await SignInAsync("linuxdo", "ld-low");
        c1.Dispose();
        JsonAssert.Failure(low);
        Assert.Contains("trust level", low.GetProperty("message").GetString());
        var (c2, ok) = await SignInAsync("linuxdo", "ld-ok");
        c2.Dispose();
        JsonAssert.Success(ok);
        Assert.Equal(FakeOAuthProvider.Basic("ld-client", "ld-secret"), gw.Fake.Last("/linuxdo/token")!.Authorization);
    }

    [Fact]
    public async Task Oidc_Discovery_AndServerStartedPkce()
    {
        gw.Fake.AddUser("oidc1", new JsonObject { ["sub"] = "sub-1", ["email"] = "Oidc1@Example.com", ["preferred_username"] = "oidc_one", ["name"] = "O One" });
        using var client = new TestClient(gw.BaseAddress);
        using var raw = gw.RawNoRedirect(client.Cookies);
        var start = await raw.GetAsync("/api/oauth/oidc/authorize");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var location = start.Headers.Location!;
        Assert.StartsWith(gw.Fake.BaseUrl + "/oidc/authorize", location.ToString());
        var q = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("S256", q["code_challenge_method"].ToString());
        Assert.Equal("oidc-client", q["client_id"].ToString());
        var (_, body) = await CallbackAsync(client, "oidc", "oidc1", q["state"].ToString());
        JsonAssert.Success(body);
        var verifier = gw.Fake.Last("/oidc/token")!.Form["code_verifier"];
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(q["code_challenge"].ToString(), challenge);
        Assert.Equal("oidc_one", body.GetProperty("data").GetProperty("username").GetString());
    }

    [Fact]
    public async Task CustomProvider_RootCrud_ThenSignIn_ThroughABinding()
    {
        var root = await gw.RootAsync();
        var created = await root.PostAsync("/api/custom-oauth-provider/", new
        {
            name = "Acme SSO", slug = "acme", enabled = true, client_id = "acme-client", client_secret = "acme-secret",
            authorization_endpoint = gw.Fake.BaseUrl + "/custom/authorize", token_endpoint = gw.Fake.BaseUrl + "/custom/token",
            user_info_endpoint = gw.Fake.BaseUrl + "/custom/user", user_id_field = "data.uid", username_field = "data.login",
            display_name_field = "data.name", email_field = "data.mail", auth_style = 2,
            access_policy = """{"logic":"and","conditions":[{"field":"data.active","op":"eq","value":true}]}""",
        });
        JsonAssert.Success(created);
        Assert.DoesNotContain("acme-secret", created.GetRawText());
        var id = created.GetProperty("data").GetProperty("id").GetInt64();
        Assert.DoesNotContain("acme-secret", (await root.GetAsync("/api/custom-oauth-provider/")).GetRawText());
        JsonAssert.Failure(await root.PostAsync("/api/custom-oauth-provider/", new { name = "x", slug = "github" }));
        JsonAssert.Failure(await root.PostAsync("/api/custom-oauth-provider/", new { name = "x", slug = "acme" }));

        gw.Fake.AddUser("acme1", new JsonObject { ["data"] = new JsonObject { ["uid"] = 501, ["login"] = "acme_user", ["name"] = "Acme", ["mail"] = "", ["active"] = true } });
        gw.Fake.AddUser("acme2", new JsonObject { ["data"] = new JsonObject { ["uid"] = 502, ["login"] = "blocked", ["active"] = false } });
        var (c1, ok) = await SignInAsync("acme", "acme1");
        c1.Dispose();
        JsonAssert.Success(ok);
        Assert.Equal("acme_user", ok.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal(FakeOAuthProvider.Basic("acme-client", "acme-secret"), gw.Fake.Last("/custom/token")!.Authorization);
        var (c2, denied) = await SignInAsync("acme", "acme2");
        c2.Dispose();
        JsonAssert.Failure(denied);

        JsonAssert.Failure(await root.DeleteAsync($"/api/custom-oauth-provider/{id}"));
        JsonAssert.Success(await root.PutAsync($"/api/custom-oauth-provider/{id}", new
        {
            name = "Acme SSO", slug = "acme", enabled = false, client_id = "acme-client",
            token_endpoint = gw.Fake.BaseUrl + "/custom/token", user_info_endpoint = gw.Fake.BaseUrl + "/custom/user",
        }));
        var (c3, off) = await SignInAsync("acme", "acme1");
        c3.Dispose();
        JsonAssert.Failure(off);
    }

    [Fact]
    public async Task DisabledOrBannedAccounts_CannotSignIn()
    {
        gw.Fake.AddUser("gh-ban", new JsonObject { ["id"] = 9400, ["login"] = "ban_me" });
        var (c, first) = await SignInAsync("github", "gh-ban");
        c.Dispose();
        var id = first.GetProperty("data").GetProperty("id").GetInt64();
        await gw.Services.GetRequiredServiceUsers().SetStatusAsync(id, UserStatus.Disabled);
        var (c2, second) = await SignInAsync("github", "gh-ban");
        c2.Dispose();
        JsonAssert.Failure(second);
        await gw.SetOptionAsync("GitHubOAuthEnabled", "false");
        try
        {
            var (c3, off) = await SignInAsync("github", "gh-ban");
            c3.Dispose();
            JsonAssert.Failure(off);
        }
        finally
        {
            await gw.SetOptionAsync("GitHubOAuthEnabled", "true");
        }
    }
}

internal static class ServiceProviderExtensions
{
    public static NewApi.Storage.Users.UserRepository GetRequiredServiceUsers(this IServiceProvider sp) =>
        (NewApi.Storage.Users.UserRepository)sp.GetService(typeof(NewApi.Storage.Users.UserRepository))!;
}
