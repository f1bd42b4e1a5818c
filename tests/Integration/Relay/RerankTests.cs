using System.Net;

namespace NewApi.Tests.Integration.Relay;

/// <summary>POST /v1/rerank: Jina/Cohere shape relayed as is, billed on the reported tokens; query and documents are required.</summary>
public sealed class RerankTests(RerankTests.Fixture fx) : IClassFixture<RerankTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"rerank-test":3}""");
            await CreateChannelAsync("rerank-test");
        }
    }

    [Fact]
    public async Task Rerank_RelaysResults_AndBillsTheReportedTokens()
    {
        var user = await fx.CreateUserAsync(fx.Unique("rr"), 100_000);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/rerank", RelayFixture.Json("""{"model":"rerank-test","query":"which is red?","documents":["sky","apple"],"top_n":2}"""));
        var body = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal(1, body.GetProperty("results")[0].GetProperty("index").GetInt32());
        var upstream = fx.Upstream.Requests.Last();
        Assert.EndsWith("/v1/rerank", upstream.PathAndQuery);
        Assert.Equal(2, upstream.Json.GetProperty("documents").GetArrayLength());
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(21 * 3, log.Quota);   // usage.total_tokens 21 × ratio 3
        Assert.Equal(21, log.PromptTokens);
        Assert.Equal(0, log.CompletionTokens);
        Assert.Equal("", log.Content);
        Assert.Equal((100_000 - 63, 63, 1), await fx.UserAsync(user));
        Assert.Equal(63, (await fx.TokenAsync(tokenId)).Used);
    }

    [Theory]
    [InlineData("""{"model":"rerank-test","documents":["a"]}""", "query is empty")]
    [InlineData("""{"model":"rerank-test","query":"","documents":["a"]}""", "query is empty")]
    [InlineData("""{"model":"rerank-test","query":"q","documents":[]}""", "documents is empty")]
    [InlineData("""{"model":"rerank-test","query":"q"}""", "documents is empty")]
    [InlineData("""{"model":"rerank-test","query":"q","documents":"a"}""", "documents is empty")]
    [InlineData("""{"model":"rerank-test","query":"q","documents":["a"],"top_n":"2"}""", "top_n must be an integer")]
    public async Task InvalidBodies_Are400(string json, string message)
    {
        var user = await fx.CreateUserAsync(fx.Unique("rr"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var error = await RelayAssert.ErrorAsync(await http.PostAsync("/v1/rerank", RelayFixture.Json(json)), HttpStatusCode.BadRequest, message);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
    }
}
