using System.Net;
using NewApi.Common;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>model_mapping, header_override, param_override, the channel system prompt and vendor URLs, seen from the upstream.</summary>
public sealed class ChannelTransformTests(ChannelTransformTests.Fixture fx) : IClassFixture<ChannelTransformTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public string Key = "";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"alias":1,"headers":1,"params":1,"prompted":1,"azure-model":1,"custom-model":1,"zhipu-model":1}""");
            await CreateChannelAsync("alias", edit: c => c with { ModelMapping = """{"alias":"middle","middle":"real-model"}""" });
            await CreateChannelAsync("headers", edit: c => c with { HeaderOverride = """{"X-Channel-Key":"{api_key}","X-From-Client":"{client_header:X-Trace}"}""" });
            await CreateChannelAsync("params", edit: c => c with { ParamOverride = """{"temperature":0.1,"operations":[{"path":"user","mode":"delete"}]}""" });
            await CreateChannelAsync("prompted", edit: c => c with { Setting = """{"system_prompt":"You are terse."}""" });
            await CreateChannelAsync("azure-model", key: "azure-secret", type: ChannelType.Azure, edit: c => c with { Other = "2024-10-21" });
            await CreateChannelAsync("custom-model", type: ChannelType.Custom, edit: c => c with { BaseUrl = Upstream.Url + "/custom/{model}/chat/completions" });
            await CreateChannelAsync("zhipu-model", type: ChannelType.ZhipuV4);
            var user = await CreateUserAsync("transform", 1_000_000);
            Key = (await CreateTokenAsync(user)).Key;
        }
    }

    private async Task<RecordedRequest> SendAsync(string body, Action<HttpRequestMessage>? edit = null)
    {
        using var http = fx.Client(fx.Key);
        var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = RelayFixture.Json(body) };
        edit?.Invoke(req);
        var resp = await http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        return fx.Upstream.Requests.Last();
    }

    [Fact]
    public async Task ModelMapping_SendsTheEndOfTheChain()
    {
        var upstream = await SendAsync("""{"model":"alias","messages":[]}""");
        Assert.Equal("real-model", upstream.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task HeaderOverride_FillsKeyAndClientHeaders()
    {
        var upstream = await SendAsync("""{"model":"headers","messages":[]}""", r => r.Headers.Add("X-Trace", "t-1"));
        Assert.Equal("key-ok", upstream.Header("X-Channel-Key"));
        Assert.Equal("t-1", upstream.Header("X-From-Client"));
    }

    [Fact]
    public async Task ParamOverride_RewritesTheBody()
    {
        var upstream = await SendAsync("""{"model":"params","user":"u1","messages":[]}""");
        Assert.Equal(0.1, upstream.Json.GetProperty("temperature").GetDouble());
        Assert.False(upstream.Json.TryGetProperty("user", out _));
    }

    [Fact]
    public async Task SystemPrompt_IsPrepended()
    {
        var upstream = await SendAsync("""{"model":"prompted","messages":[{"role":"user","content":"q"}]}""");
        Assert.Equal("You are terse.", upstream.Json.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task VendorUrls_Azure_Custom_AndPrefixedVendors()
    {
        var azure = await SendAsync("""{"model":"azure-model","messages":[]}""");
        Assert.Equal("/openai/deployments/azure-model/chat/completions?api-version=2024-10-21", azure.PathAndQuery);
        Assert.Equal("azure-secret", azure.Header("api-key"));
        Assert.Null(azure.Header("Authorization"));
        var custom = await SendAsync("""{"model":"custom-model","messages":[]}""");
        Assert.Equal("/custom/custom-model/chat/completions", custom.PathAndQuery);
        var zhipu = await SendAsync("""{"model":"zhipu-model","messages":[]}""");
        Assert.Equal("/api/paas/v4/chat/completions", zhipu.PathAndQuery);
    }

    [Fact]
    public async Task UnchangedBodies_AreSentByteForByte()
    {
        const string body = """{"model":"headers",   "messages":[],"custom_field":{"keep":"me"}}""";
        var upstream = await SendAsync(body);
        Assert.Equal(body, upstream.Body);
    }
}
