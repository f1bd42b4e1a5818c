using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>
/// Every /api route that declares a role is called as anonymous, as each lower role, and must refuse; routes without a
/// role must be on the public list. New routes are covered automatically because the test reads the endpoint table.
/// </summary>
public sealed class RoleGateTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    /// <summary>Routes that are deliberately reachable without a session (New API's public or key-authenticated routes).</summary>
    private static readonly HashSet<string> Public = new(StringComparer.Ordinal)
    {
        "GET /api/status", "GET /api/setup", "POST /api/setup", "GET /api/about", "GET /api/notice", "GET /api/home_page_content",
        "GET /api/user-agreement", "GET /api/privacy-policy", "GET /api/uptime/status", "POST /api/user/login", "GET /api/user/logout",
        "GET /api/usage/token", "POST /api/user/login/2fa", "POST /api/user/register", "GET /api/verification",
        "GET /api/reset_password", "POST /api/user/reset", "GET /api/user/groups", "GET /api/oauth/state", "GET /api/oauth/{provider}",
        "POST /api/oauth/email/bind", "POST /api/oauth/wechat/bind", "GET /api/oauth/wechat", "GET /api/oauth/telegram/login",
        "GET /api/oauth/telegram/bind", "GET /api/pricing", "GET /api/log/token", "POST /api/stripe/webhook", "GET /api/user/epay/notify",
        "POST /api/user/epay/notify", "GET /api/ratio_config", "POST /api/user/passkey/login/begin", "POST /api/user/passkey/login/finish",
        "GET /api/status/test", "GET /api/perf-metrics", "GET /api/perf-metrics/summary", "GET /api/rankings",
        "GET /api/oauth/{provider}/authorize",
    };

    private List<(string Method, string Route, Role Role)> GatedRoutes()
    {
        var list = new List<(string, string, Role)>();
        foreach (var ep in gw.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var route = "/" + ep.RoutePattern.RawText!.TrimStart('/');
            if (!route.StartsWith("/api/", StringComparison.Ordinal)) continue;
            var methods = ep.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
            var roles = ep.Metadata.GetOrderedMetadata<RequiredRole>();
            foreach (var m in methods)
            {
                if (roles.Count == 0)
                {
                    if (!route.Contains("{*", StringComparison.Ordinal))
                        Assert.True(Public.Contains($"{m} {route}"), $"{m} {route} has no RequireRole and is not on the public list");
                    continue;
                }
                list.Add((m, route, roles.Max(r => r.Role)));
            }
        }
        return list;
    }

    private static string Concrete(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{[^}]+\}", "1");

    [Fact]
    public async Task EveryGatedRoute_RefusesAnonymousWith401()
    {
        using var anon = gw.Anonymous();
        var routes = GatedRoutes();
        Assert.NotEmpty(routes);
        foreach (var (method, route, _) in routes)
        {
            using var req = new HttpRequestMessage(new HttpMethod(method), Concrete(route)) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            using var resp = await anon.SendAsync(req);
            Assert.True(resp.StatusCode == HttpStatusCode.Unauthorized, $"{method} {route} answered {(int)resp.StatusCode} to anonymous");
            var body = await TestClient.ReadAsync(resp);
            Assert.False(body.GetProperty("success").GetBoolean());
        }
    }

    [Theory]
    [InlineData(Role.User)]
    [InlineData(Role.Admin)]
    public async Task EveryGatedRoute_RefusesLowerRoles(Role callerRole)
    {
        await gw.RootAsync();
        using var caller = await gw.UserAsync($"gate_{(int)callerRole}", callerRole);
        foreach (var (method, route, required) in GatedRoutes().Where(r => r.Role > callerRole))
        {
            using var req = new HttpRequestMessage(new HttpMethod(method), Concrete(route)) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            using var resp = await caller.Http.SendAsync(req);
            var body = await TestClient.ReadAsync(resp);
            Assert.True(resp.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{method} {route}: {(int)resp.StatusCode}");
            Assert.True(body.ValueKind == JsonValueKind.Object && !body.GetProperty("success").GetBoolean(),
                $"{method} {route} (needs {required}) let a {callerRole} through: {body}");
            Assert.Equal(AuthTexts.InsufficientRole, body.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task GatedRoute_MissingOrWrongNewApiUserHeader_Is401()
    {
        using var user = await gw.UserAsync("gate_header", Role.User);
        user.Http.DefaultRequestHeaders.Remove("New-Api-User");
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/api/user/self")).StatusCode);
        user.Http.DefaultRequestHeaders.Add("New-Api-User", "abc");
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/api/user/self")).StatusCode);
        user.Http.DefaultRequestHeaders.Remove("New-Api-User");
        user.Http.DefaultRequestHeaders.Add("New-Api-User", (user.UserId + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/api/user/self")).StatusCode);
    }
}
