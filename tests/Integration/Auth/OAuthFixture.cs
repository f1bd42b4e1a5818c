using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth.OAuth;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Auth;

/// <summary>
/// Gateway whose provider endpoints point at <see cref="FakeOAuthProvider"/>. The guarded client refuses loopback, so
/// fetch_setting.allow_private_ip is turned on (and the port allow-list emptied) for these tests.
/// </summary>
public class OAuthFixture : SecurityFixture
{
    public FakeOAuthProvider Fake { get; } = new();

    protected virtual bool AllowPrivate => true;

    public override async ValueTask InitializeAsync()
    {
        await Fake.StartAsync();
        await base.InitializeAsync();
        foreach (var (k, v) in new Dictionary<string, string>
        {
            ["fetch_setting.allow_private_ip"] = AllowPrivate ? "true" : "false", ["fetch_setting.allowed_ports"] = "[]",
            ["GitHubOAuthEnabled"] = "true", ["GitHubClientId"] = "gh-client", ["GitHubClientSecret"] = "gh-secret",
            ["discord.enabled"] = "true", ["discord.client_id"] = "dc-client", ["discord.client_secret"] = "dc-secret",
            ["LinuxDOOAuthEnabled"] = "true", ["LinuxDOClientId"] = "ld-client", ["LinuxDOClientSecret"] = "ld-secret",
            ["LinuxDOMinimumTrustLevel"] = "2",
            ["oidc.enabled"] = "true", ["oidc.client_id"] = "oidc-client", ["oidc.client_secret"] = "oidc-secret",
            ["oidc.well_known"] = Fake.BaseUrl + "/oidc/.well-known/openid-configuration",
            ["WeChatAuthEnabled"] = "true", ["WeChatServerAddress"] = Fake.BaseUrl + "/wechat", ["WeChatServerToken"] = Fake.WeChatToken,
            ["TelegramOAuthEnabled"] = "true", ["TelegramBotToken"] = "123456:telegram-bot-token",
            ["ServerAddress"] = "https://console.test",
        })
            await SetOptionAsync(k, v);
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton(new OAuthEndpointSet
        {
            GitHubAuthorize = Fake.BaseUrl + "/github/authorize", GitHubToken = Fake.BaseUrl + "/github/token", GitHubUser = Fake.BaseUrl + "/github/user",
            DiscordAuthorize = Fake.BaseUrl + "/discord/authorize", DiscordToken = Fake.BaseUrl + "/discord/token", DiscordUser = Fake.BaseUrl + "/discord/user",
            LinuxDoAuthorize = Fake.BaseUrl + "/linuxdo/authorize", LinuxDoToken = Fake.BaseUrl + "/linuxdo/token", LinuxDoUser = Fake.BaseUrl + "/linuxdo/user",
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fake.DisposeAsync();
    }

    /// <summary>Shares a client's cookies but does not follow redirects, so 302 answers can be inspected.</summary>
    public HttpClient RawNoRedirect(CookieContainer cookies) =>
        new(new HttpClientHandler { UseCookies = true, CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
}
