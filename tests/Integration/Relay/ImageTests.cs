using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// POST /v1/images/generations and /v1/images/edits, and the retired /v1/edits: per-image prices with the DALL·E size
/// and quality ratios × n, token usage for gpt-image-1, multipart edits rebuilt for the upstream, streamed answers.
/// </summary>
public sealed class ImageTests(ImageTests.Fixture fx) : IClassFixture<ImageTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"gpt-image-1":2.5,"dall-e-2":1}""");
            await CreateChannelAsync("dall-e-3,gpt-image-1,dall-e-2");
        }
    }

    // gpt-image-1: input 50 (40 image) + output 1000: (10 + 40 × image ratio 2 + 1000 × completion 8) × 2.5
    private const long GptImageQuota = 20_225;

    private async Task<(long User, long Token, HttpClient Http)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("img"), 1_000_000);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        return (user, tokenId, fx.Client(key));
    }

    [Fact]
    public async Task DallE3_IsBilledPerImage_WithTheSizeAndQualityRatio()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/images/generations", RelayFixture.Json("""{"model":"dall-e-3","prompt":"a cat","size":"1024x1792","quality":"hd"}"""));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("https://images.example/0.png", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("data")[0].GetProperty("url").GetString());
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(60_000, log.Quota);   // $0.04 × (2 for 1024x1792 × 1.5 for hd) × 500 000
        Assert.Equal("大小 1024x1792, 品质 hd, 生成数量 1", log.Content);
        var other = RelayAssert.Other(log.Other);
        Assert.Equal(0.04, other.GetProperty("model_price").GetDouble());
        Assert.Equal(3, other.GetProperty("image_price_ratio").GetDouble());
        Assert.Equal((1_000_000 - 60_000, 60_000, 1), await fx.UserAsync(user));
        Assert.Equal(60_000, (await fx.TokenAsync(token)).Used);
    }

    [Fact]
    public async Task PerImagePrice_IsMultipliedByN()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/images/generations", RelayFixture.Json("""{"model":"dall-e-3","prompt":"two dogs","n":2}"""));
        Assert.Equal(2, RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("data").GetArrayLength());
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(40_000, log.Quota);   // $0.04 × 1 × 500 000 × n 2
        Assert.Equal("大小 1024x1024, 品质 standard, 生成数量 2", log.Content);
        Assert.True(log.PromptTokens >= 1);   // no usage from the upstream: the prompt estimate, at least 1 as in New API
    }

    [Fact]
    public async Task GptImage_IsBilledOnTokenUsage_WithTheImageRatio()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/images/generations", RelayFixture.Json("""{"model":"gpt-image-1","prompt":"a lighthouse"}"""));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(GptImageQuota, log.Quota);
        Assert.Equal(50, log.PromptTokens);
        Assert.Equal(1000, log.CompletionTokens);
        Assert.Equal("品质 auto, 生成数量 1", log.Content);
        Assert.Equal(40, RelayAssert.Other(log.Other).GetProperty("image_output").GetInt64());
        Assert.Equal(GptImageQuota, (await fx.TokenAsync(token)).Used);
    }

    [Fact]
    public async Task StreamedImage_KeepsTheUpstreamEvents_AndBillsTheCompletedUsage()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/images/generations", RelayFixture.Json("""{"model":"gpt-image-1","prompt":"a lighthouse","stream":true}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        Assert.Contains("event: image_generation.partial_image\n", text);
        Assert.Contains("event: image_generation.completed\n", text);
        Assert.DoesNotContain("[DONE]", text);
        await fx.FlushAsync();
        Assert.Equal(GptImageQuota, Assert.Single(await RelayAssert.LogsAsync(fx, user)).Quota);
    }

    [Theory]
    [InlineData("""{"prompt":"x"}""", "model is required")]
    [InlineData("""{"model":"dall-e-3","prompt":"x","size":"1024×1024"}""", "instead of the multiplication sign")]
    [InlineData("""{"model":"dall-e-3","prompt":"x","size":"512x512"}""", "for dall-e-3")]
    [InlineData("""{"model":"dall-e-2","prompt":"x","size":"1024x1792"}""", "for dall-e-2 or dall-e")]
    [InlineData("""{"model":"dall-e-3","prompt":"x","n":-1}""", "n must be a non-negative integer")]
    [InlineData("""{"model":"dall-e-3","prompt":"x","n":1.5}""", "n must be a non-negative integer")]
    [InlineData("""{"model":"dall-e-3","prompt":7}""", "prompt must be a string")]
    [InlineData("""[1,2]""", "a JSON object is required")]
    public async Task InvalidGenerations_Are400(string json, string message)
    {
        var (user, _, http) = await CallerAsync();
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/images/generations", RelayFixture.Json(json)), HttpStatusCode.BadRequest, message);
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
    }

    [Fact]
    public async Task MultipartEdit_IsRebuiltWithEveryImageAndTheMask_AndBilled()
    {
        var (user, _, http) = await CallerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-image-1"), "model" },
            { new StringContent("add a hat"), "prompt" },
            { File(1_500_000, "image/png"), "image[]", "a.png" },   // larger than the 1 MiB kept in memory
            { File(2_000, "image/png"), "image[]", "b.png" },
            { File(300, "image/png"), "mask", "mask.png" },
            { File(10, "text/plain"), "notes", "ignored.txt" },
        };
        var resp = await http.PostAsync("/v1/images/edits", form);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var sent = fx.Upstream.LastForm!;
        Assert.Equal("gpt-image-1", sent.Fields["model"]);
        Assert.Equal("add a hat", sent.Fields["prompt"]);
        Assert.Equal([("image[]", "a.png", 1_500_000L), ("image[]", "b.png", 2_000L), ("mask", "mask.png", 300L)],
            sent.Files.Select(f => (f.Name, f.FileName, f.Length)).ToArray());
        Assert.Equal("image/png", sent.Files[0].ContentType);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(GptImageQuota, log.Quota);
        Assert.Equal("品质 standard, 生成数量 1", log.Content);
        Assert.Equal("/v1/images/edits", RelayAssert.Other(log.Other).GetProperty("request_path").GetString());
    }

    [Fact]
    public async Task MultipartEdit_WithOneImage_SendsItAsImage()
    {
        var (_, _, http) = await CallerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("dall-e-2"), "model" },
            { new StringContent("x"), "prompt" },
            { File(100, "image/png"), "image", "one.png" },
        };
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/images/edits", form)).StatusCode);
        Assert.Equal("image", Assert.Single(fx.Upstream.LastForm!.Files).Name);
    }

    [Fact]
    public async Task MultipartEdit_WithoutImageOrModel_Is400()
    {
        var (user, _, http) = await CallerAsync();
        using var noImage = new MultipartFormDataContent { { new StringContent("gpt-image-1"), "model" }, { new StringContent("x"), "prompt" } };
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/images/edits", noImage), HttpStatusCode.BadRequest, "image is required");
        using var noModel = new MultipartFormDataContent { { new StringContent("x"), "prompt" }, { File(10, "image/png"), "image", "a.png" } };
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/images/edits", noModel), HttpStatusCode.BadRequest, "model is required");
        using var broken = new ByteArrayContent(Encoding.UTF8.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt"));
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/images/edits", broken), HttpStatusCode.BadRequest, "invalid multipart/form-data");
        using var noBoundary = new ByteArrayContent([]);
        noBoundary.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/images/edits", noBoundary), HttpStatusCode.BadRequest, "boundary missing");
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
    }

    [Fact]
    public async Task JsonEdit_TakesTheJsonPath()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/images/edits", RelayFixture.Json("""{"model":"gpt-image-1","prompt":"x","images":[{"image_url":"https://a/b.png"}]}"""));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("application/json", fx.Upstream.Requests.Last().Header("Content-Type")?.Split(';')[0]);
        await fx.FlushAsync();
        Assert.Equal(GptImageQuota, Assert.Single(await RelayAssert.LogsAsync(fx, user)).Quota);
    }

    /// <summary>NewApi: New API answered /v1/edits with a 500 "invalid request type"; the retired text Edits API gets a clear 400.</summary>
    [Fact]
    public async Task RetiredEdits_Is400ForAValidKey_And401WithoutOne()
    {
        var (user, _, http) = await CallerAsync();
        var error = await RelayAssert.ErrorAsync(await http.PostAsync("/v1/edits", RelayFixture.Json("""{"model":"text-davinci-edit-001","input":"a","instruction":"b"}""")),
            HttpStatusCode.BadRequest, "/v1/chat/completions");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        using var anon = fx.Client("sk-unknown");
        await RelayAssert.ErrorAsync(await anon.PostAsync("/v1/edits", RelayFixture.Json("{}")), HttpStatusCode.Unauthorized, "Invalid token");
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
    }

    private static ByteArrayContent File(int size, string type)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }
}
