using System.Net;
using System.Text.Json;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// Unknown routes and wrong methods answer 404 "Invalid URL (METHOD path)" (New API's NoRoute text) in the caller's
/// own dialect: Claude under /v1/messages, Gemini under /v1beta, the envelope under /api, OpenAI elsewhere.
/// Like gin (no HandleMethodNotAllowed), a wrong method on an existing path is a 404, not a 405.
/// </summary>
public sealed class UnknownRouteTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private async Task<(HttpResponseMessage Resp, JsonElement Body)> SendAsync(string method, string path)
    {
        using var anon = gw.Anonymous();
        var resp = await anon.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
        return (resp, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    [InlineData("DELETE", "/v1/messages")]             // wrong method on an existing route
    [InlineData("GET", "/v1/messages/count_tokens")]   // wrong method on an existing route
    [InlineData("POST", "/v1/messages/nope")]
    public async Task ClaudePaths_AnswerAnthropicNotFound(string method, string path)
    {
        var (_, body) = await SendAsync(method, path);
        Assert.Equal("error", body.GetProperty("type").GetString());
        var err = body.GetProperty("error");
        Assert.Equal("not_found_error", err.GetProperty("type").GetString());
        Assert.Equal($"Invalid URL ({method} {path})", err.GetProperty("message").GetString());
        Assert.Equal(2, err.EnumerateObject().Count());
    }

    [Theory]
    [InlineData("PUT", "/v1beta/models/gemini-2.0-flash:generateContent")]   // wrong method on an existing route
    [InlineData("GET", "/v1beta/models/a/b/c/d:generateContent")]
    [InlineData("POST", "/v1beta/nope")]
    [InlineData("PUT", "/v1/models/gemini-2.0-flash:generateContent")]   // Gemini-native path under /v1
    public async Task GeminiPaths_AnswerGoogleNotFound(string method, string path)
    {
        var (_, body) = await SendAsync(method, path);
        var err = body.GetProperty("error");
        Assert.Equal(404, err.GetProperty("code").GetInt32());
        Assert.Equal("NOT_FOUND", err.GetProperty("status").GetString());
        Assert.Equal($"Invalid URL ({method} {path})", err.GetProperty("message").GetString());
        Assert.False(err.TryGetProperty("type", out _));
    }

    [Theory]
    [InlineData("GET", "/api/token/abc")]
    [InlineData("POST", "/api/log/")]          // wrong method on an existing route (GET /api/log/)
    [InlineData("DELETE", "/api/status")]      // wrong method on an existing route
    [InlineData("GET", "/api/nonexistent")]
    [InlineData("GET", "/api/nonexistent.json")]
    public async Task ManagementPaths_AnswerTheEnvelope(string method, string path)
    {
        var (_, body) = await SendAsync(method, path);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal($"Invalid URL ({method} {path})", body.GetProperty("message").GetString());
        Assert.False(body.TryGetProperty("error", out _));
    }

    [Theory]
    [InlineData("POST", "/v1/nope")]
    [InlineData("PUT", "/v1/chat/completions")]        // wrong method on an existing route
    [InlineData("GET", "/v1beta/openai/nope")]         // Gemini's OpenAI-compatible surface speaks OpenAI
    [InlineData("GET", "/assets/missing.js")]
    public async Task OtherApiPaths_KeepTheOpenAiShape(string method, string path)
    {
        var (_, body) = await SendAsync(method, path);
        var err = body.GetProperty("error");
        Assert.Equal($"Invalid URL ({method} {path})", err.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", err.GetProperty("type").GetString());
        Assert.Equal("", err.GetProperty("param").GetString());
        Assert.Equal("", err.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/some/console/page")]
    [InlineData("/console/token")]
    public async Task NonApiPaths_StillServeTheConsole(string path)
    {
        using var anon = gw.Anonymous();
        var resp = await anon.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("text/html", resp.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<!doctype html", await resp.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
