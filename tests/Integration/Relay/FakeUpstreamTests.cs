using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>The fake provider itself: shapes and faults the relay tests rely on.</summary>
public sealed class FakeUpstreamTests : IAsyncLifetime
{
    private readonly FakeUpstream _up = new();
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        await _up.StartAsync();
        _http = new HttpClient { BaseAddress = _up.BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _up.DisposeAsync();
    }

    private HttpRequestMessage Post(string path, object body, string key = "key-ok") => new(HttpMethod.Post, path)
    {
        Content = JsonContent.Create(body),
        Headers = { { "Authorization", "Bearer " + key } },
    };

    [Fact]
    public async Task Chat_NonStream_ReportsUsage_AndRecordsTheRequest()
    {
        var resp = await _http.SendAsync(Post("/v1/chat/completions", new { model = "m1", messages = new[] { new { role = "user", content = "hi" } } }));
        var json = await resp.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(12, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("Hello from the fake upstream", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var recorded = Assert.Single(_up.Requests);
        Assert.Equal("Bearer key-ok", recorded.Header("Authorization"));
        Assert.Equal("m1", recorded.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Chat_Stream_SendsUsageOnlyWhenAsked()
    {
        var with = await (await _http.SendAsync(Post("/v1/chat/completions", new { model = "m", stream = true, stream_options = new { include_usage = true } })))
            .Content.ReadAsStringAsync();
        var without = await (await _http.SendAsync(Post("/v1/chat/completions", new { model = "m", stream = true }))).Content.ReadAsStringAsync();
        Assert.Contains("\"usage\"", with);
        Assert.DoesNotContain("\"usage\"", without);
        Assert.EndsWith("data: [DONE]\n\n", with);
    }

    [Theory]
    [InlineData("key-500", 500)]
    [InlineData("key-429", 429)]
    [InlineData("key-401", 401)]
    public async Task Faults_AnswerTheirStatus(string key, int status)
    {
        var resp = await _http.SendAsync(Post("/v1/chat/completions", new { model = "m" }, key));
        Assert.Equal((HttpStatusCode)status, resp.StatusCode);
    }

    [Fact]
    public async Task Cut_DropsTheConnectionMidStream()
    {
        var resp = await _http.SendAsync(Post("/v1/chat/completions", new { model = "m", stream = true }, "key-cut"), HttpCompletionOption.ResponseHeadersRead);
        await Assert.ThrowsAnyAsync<Exception>(() => resp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stall_IsSeenAsAbortedWhenTheCallerLeaves()
    {
        using var cts = new CancellationTokenSource();
        var resp = await _http.SendAsync(Post("/v1/chat/completions", new { model = "m", stream = true }, "key-stall"), HttpCompletionOption.ResponseHeadersRead);
        var stream = await resp.Content.ReadAsStreamAsync();
        var buffer = new byte[256];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        resp.Dispose();
        await _up.WaitForAbortAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _up.AbortedCount);
    }

    [Fact]
    public async Task ClaudeAndGemini_MinimalShapes()
    {
        var claude = await (await _http.SendAsync(Post("/v1/messages", new { model = "claude-x", max_tokens = 10 }))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, claude.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var gemini = await (await _http.SendAsync(Post("/v1beta/models/gemini-2.0-flash:generateContent", new { contents = Array.Empty<object>() })))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(17, gemini.GetProperty("usageMetadata").GetProperty("totalTokenCount").GetInt32());
        var geminiStream = await (await _http.SendAsync(Post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", new { contents = Array.Empty<object>() })))
            .Content.ReadAsStringAsync();
        Assert.Equal(5, geminiStream.Split("data: ").Length - 1);
    }
}
