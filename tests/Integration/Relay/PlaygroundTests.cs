using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Storage.Users;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>POST /pg/chat/completions: the console login instead of a key, a synthetic token, the user's quota only.</summary>
public sealed class PlaygroundTests(PlaygroundTests.Fixture fx) : IClassFixture<PlaygroundTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"test-model":2}""");
            await SetOptionAsync("CompletionRatio", """{"test-model":3}""");
            await CreateChannelAsync("test-model");
            await CreateChannelAsync("test-model", group: "vip");
        }
    }

    private const long Expected = 54;   // (12 + 5 × 3) × 2
    private const string Chat = """{"model":"test-model","messages":[{"role":"user","content":"hi"}]""";

    [Fact]
    public async Task SessionUser_IsServed_WithASyntheticToken_AndOnlyTheUserQuotaMoves()
    {
        using var client = await fx.UserAsync(fx.Unique("pg"), quota: 100_000);
        var tokensBefore = await fx.ScalarAsync("SELECT COALESCE(SUM(used_quota), 0) FROM tokens");
        var resp = await client.Http.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + "}"));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("Hello from the fake upstream",
            RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, client.UserId));
        Assert.Equal(("playground-default", 0L, "default", Expected), (log.TokenName, log.TokenId, log.Group, log.Quota));
        Assert.Equal((100_000 - Expected, Expected, 1), await fx.UserAsync(client.UserId));
        Assert.Equal(tokensBefore, await fx.ScalarAsync("SELECT COALESCE(SUM(used_quota), 0) FROM tokens"));
    }

    [Fact]
    public async Task BodyGroup_RoutesAndBillsInThatGroup_AndIsNotSentUpstream()
    {
        using var client = await fx.UserAsync(fx.Unique("pg"), quota: 100_000);
        var resp = await client.Http.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + ""","group":"vip"}"""));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.False(fx.Upstream.Requests.Last().Json.TryGetProperty("group", out _));
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, client.UserId));
        Assert.Equal(("playground-vip", "vip"), (log.TokenName, log.Group));
    }

    [Fact]
    public async Task UnusableGroup_Is403()
    {
        using var client = await fx.UserAsync(fx.Unique("pg"), quota: 100_000);
        var error = await RelayAssert.ErrorAsync(await client.Http.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + ""","group":"svip"}""")),
            HttpStatusCode.Forbidden, "无权访问该分组");
        Assert.Equal("access_denied", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AccessToken_IsRefused_AsInNewApi()
    {
        using var client = await fx.UserAsync(fx.Unique("pg"), quota: 100_000);
        await fx.Services.GetRequiredService<UserRepository>().SetAccessTokenHashAsync(client.UserId, SecretBox.Sha256Hex("pg-access-token-1"));
        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "pg-access-token-1");
        http.DefaultRequestHeaders.Add("New-Api-User", client.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await RelayAssert.ErrorAsync(await http.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + "}")), HttpStatusCode.Forbidden,
            "暂不支持使用 access token");
        await fx.FlushAsync();
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(client.UserId));
    }

    [Fact]
    public async Task WithoutASession_AnswersTheManagementEnvelope()
    {
        using var anonymous = fx.Anonymous();
        var resp = await anonymous.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + "}"));
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
        var body = await TestClient.ReadAsync(resp);
        JsonAssert.Failure(body);
        using var keyed = fx.Client("sk-some-key");   // a relay key is not a login
        var refused = await TestClient.ReadAsync(await keyed.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + "}")));
        JsonAssert.Failure(refused);
        Assert.Contains("invalid access token", refused.GetProperty("message").GetString());
    }

    [Fact]
    public async Task InvalidBody_Is400()
    {
        using var client = await fx.UserAsync(fx.Unique("pg"), quota: 100_000);
        await RelayAssert.ErrorAsync(await client.Http.PostAsync("/pg/chat/completions", RelayFixture.Json("""{"model":"test-model"}""")),
            HttpStatusCode.BadRequest, "field messages is required");
        await RelayAssert.ErrorAsync(await client.Http.PostAsync("/pg/chat/completions", RelayFixture.Json(Chat + ""","group":5}""")),
            HttpStatusCode.BadRequest, "group must be a string");
    }
}
