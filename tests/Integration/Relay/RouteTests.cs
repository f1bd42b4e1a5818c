using System.IO.Compression;
using System.Net;
using System.Text;
using NewApi.Config;

namespace NewApi.Tests.Integration.Relay;

/// <summary>Every relay route, stream and not, plus body handling: gzip/br, the size limit after inflation, bad JSON.</summary>
public sealed class RouteTests(RouteTests.Fixture fx) : IClassFixture<RouteTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public string Key = "";
        public long User;

        protected override void ConfigureConfig(GatewayConfig config) => config.Relay.MaxRequestBodyMb = 1;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"route-model":2,"embed-model":1,"hidden-model":1}""");
            await SetOptionAsync("CompletionRatio", """{"route-model":3}""");
            await CreateChannelAsync("route-model,embed-model,unpriced-model");
            User = await CreateUserAsync("routes", 1_000_000);
            Key = (await CreateTokenAsync(User)).Key;
        }
    }

    private HttpClient Http => fx.Client(fx.Key);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Completions_StreamAndNot(bool stream)
    {
        using var http = Http;
        var resp = await http.PostAsync("/v1/completions", RelayFixture.Json($$"""{"model":"route-model","prompt":"say hi","stream":{{(stream ? "true" : "false")}}}"""));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Contains(stream ? "\"text\":\" fake\"" : "\"text\":\"Hello from the fake upstream\"", body);
        if (stream) Assert.EndsWith("data: [DONE]\n\n", body);
        Assert.EndsWith("/v1/completions", fx.Upstream.Requests.Last().PathAndQuery);
    }

    [Fact]
    public async Task Embeddings_AreBilledOnPromptTokens()
    {
        var user = await fx.CreateUserAsync(fx.Unique("emb"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/embeddings", RelayFixture.Json("""{"model":"embed-model","input":["a","b"]}"""));
        var body = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        await fx.WaitSettledAsync(user, 1);
        Assert.Equal(100_000 - 12, (await fx.UserAsync(user)).Quota);   // 12 prompt tokens × ratio 1
    }

    [Fact]
    public async Task Models_ListThePricedModelsOfTheGroup_InEveryShape()
    {
        using var http = Http;
        var list = RelayFixture.Parse(await http.GetStringAsync("/v1/models"));
        Assert.True(list.GetProperty("success").GetBoolean());
        var ids = list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["embed-model", "route-model"], ids);   // unpriced-model hidden, hidden-model not served
        var beta = RelayFixture.Parse(await http.GetStringAsync("/v1beta/openai/models"));
        Assert.Equal(2, beta.GetProperty("data").GetArrayLength());
        var one = RelayFixture.Parse(await http.GetStringAsync("/v1/models/route-model"));
        Assert.Equal("model", one.GetProperty("object").GetString());
        var missing = await http.GetAsync("/v1/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("model_not_found", RelayFixture.Parse(await missing.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());

        using var anthropic = new HttpClient { BaseAddress = fx.BaseAddress };
        anthropic.DefaultRequestHeaders.Add("x-api-key", fx.Key);
        anthropic.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        var claude = RelayFixture.Parse(await anthropic.GetStringAsync("/v1/models"));
        Assert.Equal("embed-model", claude.GetProperty("first_id").GetString());
        Assert.Equal("model", claude.GetProperty("data")[0].GetProperty("type").GetString());

        // Newer Anthropic SDKs send the key as a Bearer token beside anthropic-version (no x-api-key): same shapes.
        using var bearerClaude = new HttpClient { BaseAddress = fx.BaseAddress };
        bearerClaude.DefaultRequestHeaders.Add("Authorization", "Bearer " + fx.Key);
        bearerClaude.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        Assert.Equal("embed-model", RelayFixture.Parse(await bearerClaude.GetStringAsync("/v1/models")).GetProperty("first_id").GetString());
        var claudeOne = RelayFixture.Parse(await bearerClaude.GetStringAsync("/v1/models/route-model"));
        Assert.Equal("model", claudeOne.GetProperty("type").GetString());
        Assert.Equal("route-model", claudeOne.GetProperty("id").GetString());

        // Google's GenAI SDK uses API version v1 by default: /v1/models with x-goog-api-key gets Gemini's shapes.
        using var gemini = new HttpClient { BaseAddress = fx.BaseAddress };
        gemini.DefaultRequestHeaders.Add("x-goog-api-key", fx.Key);
        var geminiList = RelayFixture.Parse(await gemini.GetStringAsync("/v1/models"));
        Assert.Equal("embed-model", geminiList.GetProperty("models")[0].GetProperty("name").GetString());
        var geminiOne = RelayFixture.Parse(await gemini.GetStringAsync("/v1/models/route-model"));
        Assert.Equal("route-model", geminiOne.GetProperty("name").GetString());
        using var anonymous = new HttpClient { BaseAddress = fx.BaseAddress };
        var byQuery = RelayFixture.Parse(await anonymous.GetStringAsync("/v1/models?key=" + fx.Key));
        Assert.Equal(2, byQuery.GetProperty("models").GetArrayLength());
    }

    [Theory]
    [InlineData("POST", "/v1/images/variations")]
    [InlineData("GET", "/v1/files")]
    [InlineData("DELETE", "/v1/files/abc")]
    [InlineData("GET", "/v1/fine-tunes/ft-1/events")]
    [InlineData("DELETE", "/v1/models/route-model")]
    public async Task NotImplementedRoutes_Answer501(string method, string path)
    {
        using var http = Http;
        var resp = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotImplemented, resp.StatusCode);
        Assert.Equal("api_not_implemented", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("""{"model":"route-model"}""", "messages is required")]
    [InlineData("""{"model":5,"messages":[]}""", "model must be a string")]
    [InlineData("""{"messages":[]}""", "Model name not specified")]
    public async Task BadBodies_Are400InOpenAiShape(string body, string message)
    {
        using var http = Http;
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Contains(message, RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnpricedModel_Is400ModelPriceError()
    {
        using var http = Http;
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"unpriced-model","messages":[]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Contains("model_price_error", await resp.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task CompressedBodies_AreInflated(string encoding)
    {
        using var http = Http;
        var content = new ByteArrayContent(Compress(Encoding.UTF8.GetBytes("""{"model":"route-model","messages":[{"role":"user","content":"zip"}]}"""), encoding));
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        var resp = await http.PostAsync("/v1/chat/completions", content);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Contains("zip", fx.Upstream.Requests.Last().Body);
    }

    [Fact]
    public async Task TheSizeLimit_CountsInflatedBytes()
    {
        using var http = Http;
        var huge = "{\"model\":\"route-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 2 * 1024 * 1024) + "\"}]}";
        var content = new ByteArrayContent(Compress(Encoding.UTF8.GetBytes(huge), "gzip"));   // a few KB on the wire
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        var resp = await http.PostAsync("/v1/chat/completions", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        Assert.Equal("read_request_body_failed", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task RelayRoutes_HaveCors()
    {
        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        preflight.Headers.Add("Origin", "https://example.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var resp = await http.SendAsync(preflight);
        Assert.Equal("*", resp.Headers.GetValues("Access-Control-Allow-Origin").Single());

        // A browser's call carries Origin and gets the headers; an SDK's call has none and gets none (as New API).
        var withOrigin = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        withOrigin.Headers.Add("Origin", "https://example.test");
        withOrigin.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-not-a-key");
        using var browser = await http.SendAsync(withOrigin);
        Assert.Equal("*", browser.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Oneapi-Request-Id", browser.Headers.GetValues("Access-Control-Expose-Headers").Single());
        var plain = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        plain.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-not-a-key");
        using var sdk = await http.SendAsync(plain);
        Assert.False(sdk.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.True(sdk.Headers.Contains("X-Oneapi-Request-Id"));
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream z = encoding == "br" ? new BrotliStream(output, CompressionLevel.Fastest) : new GZipStream(output, CompressionLevel.Fastest))
            z.Write(data);
        return output.ToArray();
    }
}
