using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Billing.Tokens;

namespace NewApi.Tests.Integration.Relay;

/// <summary>POST /v1/moderations: routing default model, input required, billed on the prompt estimate (moderations report no usage).</summary>
public sealed class ModerationTests(ModerationTests.Fixture fx) : IClassFixture<ModerationTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"text-moderation-stable":2,"omni-moderation-latest":1}""");
            await CreateChannelAsync("text-moderation-stable,omni-moderation-latest");
        }
    }

    [Fact]
    public async Task WithoutModel_RoutesToTextModerationStable_AndBillsThePromptEstimate()
    {
        var user = await fx.CreateUserAsync(fx.Unique("mod"), 100_000);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/moderations", RelayFixture.Json("""{"input":"hello moderation"}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.False(RelayFixture.Parse(text).GetProperty("results")[0].GetProperty("flagged").GetBoolean());
        Assert.Equal("text-moderation-stable", fx.Upstream.Requests.Last().Json.GetProperty("model").GetString());
        var prompt = fx.Services.GetRequiredService<TokenCounter>().Count("text-moderation-stable", "hello moderation\n");
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(prompt, log.PromptTokens);
        Assert.Equal(0, log.CompletionTokens);
        Assert.Equal(prompt * 2, log.Quota);
        Assert.Equal("text-moderation-stable", log.ModelName);
        Assert.Equal((100_000 - prompt * 2, prompt * 2, 1), await fx.UserAsync(user));
        Assert.Equal(prompt * 2, (await fx.TokenAsync(tokenId)).Used);
    }

    [Fact]
    public async Task MissingInput_Is400_AndNothingIsBilled()
    {
        var user = await fx.CreateUserAsync(fx.Unique("mod"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/moderations", RelayFixture.Json("""{"model":"omni-moderation-latest"}""")),
            HttpStatusCode.BadRequest, "field input is required");
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/moderations", RelayFixture.Json("""{"input":"x""")), HttpStatusCode.BadRequest, "not valid JSON");
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
        Assert.Equal((100_000, 0, 0), await fx.UserAsync(user));
    }
}
