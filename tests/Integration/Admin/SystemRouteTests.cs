using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class SystemRouteTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Status_HasTheKeysTheConsoleReads_AndRequestIdHeaders()
    {
        using var anon = gw.Anonymous();
        var resp = await anon.GetAsync("/api/status");
        Assert.True(resp.Headers.Contains("X-Oneapi-Request-Id"));
        Assert.True(resp.Headers.Contains("X-New-Api-Version"));
        var data = (await TestClient.ReadAsync(resp)).GetProperty("data");
        foreach (var key in new[] { "version", "start_time", "system_name", "quota_per_unit", "setup", "register_enabled", "password_login_enabled",
                     "quota_display_type", "turnstile_check", "github_oauth", "oidc_enabled", "passkey_login", "chats", "docs_link" })
            Assert.True(data.TryGetProperty(key, out _), "missing status key " + key);
        Assert.Equal(500000, data.GetProperty("quota_per_unit").GetDouble());
    }

    [Fact]
    public async Task Status_ListsEnabledCustomOAuthProviders_WithoutTheirSecrets()
    {
        var repo = gw.Services.GetRequiredService<NewApi.Storage.OAuth.CustomOAuthProviderRepository>();
        await repo.InsertAsync(new NewApi.Storage.OAuth.CustomOAuthProviderRow
        {
            Name = "Corp SSO", Slug = "corp-sso", Enabled = true, ClientId = "corp-client", ClientSecret = "corp-secret-value",
            AuthorizationEndpoint = "https://sso.example.com/authorize", TokenEndpoint = "https://sso.example.com/token",
            UserInfoEndpoint = "https://sso.example.com/userinfo",
        }, 1);
        await repo.InsertAsync(new NewApi.Storage.OAuth.CustomOAuthProviderRow { Name = "Off", Slug = "off-sso", Enabled = false, ClientId = "off" }, 1);
        using var anon = gw.Anonymous();
        var resp = await anon.GetAsync("/api/status");
        var text = await resp.Content.ReadAsStringAsync();
        Assert.DoesNotContain("corp-secret-value", text);
        var providers = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("custom_oauth_providers");
        var corp = Assert.Single(providers.EnumerateArray());
        Assert.Equal("corp-sso", corp.GetProperty("slug").GetString());
        Assert.Equal("corp-client", corp.GetProperty("client_id").GetString());
        Assert.Equal("https://sso.example.com/authorize", corp.GetProperty("authorization_endpoint").GetString());
    }

    [Theory]   // /api paths answer in the management envelope instead: Relay/UnknownRouteTests
    [InlineData("POST", "/v1/nope")]
    [InlineData("GET", "/assets/missing.js")]
    public async Task UnknownApiPaths_AnswerOpenAiStyle404(string method, string path)
    {
        using var anon = gw.Anonymous();
        var resp = await anon.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        var err = (await TestClient.ReadAsync(resp)).GetProperty("error");
        Assert.Equal($"Invalid URL ({method} {path})", err.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", err.GetProperty("type").GetString());
    }

    [Fact]
    public async Task RootPath_ServesTheConsoleWithSecurityHeaders()
    {
        using var anon = gw.Anonymous();
        var resp = await anon.GetAsync("/some/console/route");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("text/html", resp.Content.Headers.ContentType!.MediaType);
        Assert.True(resp.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("nosniff", resp.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task HomePageContent_HasScriptStripped()
    {
        var root = await gw.RootAsync();
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "HomePageContent", value = "<h1 onclick=\"x()\">Hi</h1><script>alert(1)</script><a href=\"javascript:alert(1)\">l</a>" }));
        using var anon = gw.Anonymous();
        var html = (await TestClient.ReadAsync(await anon.GetAsync("/api/home_page_content"))).GetProperty("data").GetString()!;
        Assert.Contains("<h1", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UptimeStatus_EmptyConfig_IsEmptyList()
    {
        using var anon = gw.Anonymous();
        var body = await TestClient.ReadAsync(await anon.GetAsync("/api/uptime/status"));
        JsonAssert.Success(body);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task MalformedJsonOnSetup_IsAClearFailureNot500()
    {
        using var anon = gw.Anonymous();
        var resp = await anon.PostAsync("/api/setup", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.True((int)resp.StatusCode < 500, "got " + resp.StatusCode);
    }
}
