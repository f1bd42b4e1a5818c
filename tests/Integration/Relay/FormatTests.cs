using System.Net;
using System.Text.Json;
using NewApi.Common;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// The Claude and Gemini surfaces and the conversions between dialects: every client dialect against an OpenAI, an
/// Anthropic and a Gemini channel, stream and not, billed from the usage the upstream reported (input 12, output 5 ×
/// completion ratio 3, × model ratio 2 = 54), errors in the caller's own shape, and nothing billed on failure.
/// </summary>
public sealed class FormatTests(FormatTests.Fixture fx) : IClassFixture<FormatTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"fmt-gpt":2,"fmt-claude":2,"fmt-gemini":2}""");
            await SetOptionAsync("CompletionRatio", """{"fmt-gpt":3,"fmt-claude":3,"fmt-gemini":3}""");
            await CreateChannelAsync("fmt-gpt", key: "key-openai");
            await CreateChannelAsync("fmt-claude", key: "key-claude", type: ChannelType.Anthropic);
            await CreateChannelAsync("fmt-gemini", key: "key-gemini", type: ChannelType.Gemini);
            await CreateChannelAsync("fmt-claude-429", key: "key-429", type: ChannelType.Anthropic);
            await CreateChannelAsync("fmt-deepseek", key: "key-deepseek", type: ChannelType.DeepSeek);
            await SetOptionAsync("ModelRatio", """{"fmt-gpt":2,"fmt-claude":2,"fmt-gemini":2,"fmt-claude-429":2,"fmt-deepseek":2}""");
            await SetOptionAsync("CompletionRatio", """{"fmt-gpt":3,"fmt-claude":3,"fmt-gemini":3,"fmt-deepseek":3}""");
        }
    }

    private const long Expected = 54;

    private async Task<(long User, HttpClient Http, string Key)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("fmt"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        return (user, fx.Client(key), key);
    }

    private async Task<JsonElement> BilledAsync(long user, string[]? conversion, bool claude)
    {
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(Expected, log.Quota);
        var other = RelayAssert.Other(log.Other);
        if (conversion is null) Assert.False(other.TryGetProperty("request_conversion", out _));
        else Assert.Equal(conversion, other.GetProperty("request_conversion").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(claude, other.TryGetProperty("claude", out var c) && c.GetBoolean());
        Assert.Equal((100_000 - Expected, Expected, 1), await fx.UserAsync(user));
        return other;
    }

    private RecordedRequest LastUpstream() => fx.Upstream.Requests.Last();

    [Fact]
    public async Task OpenAiClient_ToClaudeChannel_NonStream()
    {
        var (user, http, _) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"fmt-claude","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var body = RelayFixture.Parse(text);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("Hello from the fake upstream", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(12, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
        var up = LastUpstream();
        Assert.Equal("/v1/messages", up.PathAndQuery);
        Assert.Equal("key-claude", up.Header("x-api-key"));
        Assert.Equal("2023-06-01", up.Header("anthropic-version"));
        Assert.Null(up.Header("Authorization"));
        Assert.Equal("be brief", up.Json.GetProperty("system").ValueKind == JsonValueKind.String
            ? up.Json.GetProperty("system").GetString() : up.Json.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.True(up.Json.GetProperty("max_tokens").GetInt64() > 0);
        await BilledAsync(user, ["OpenAI Compatible", "Claude Messages"], claude: true);
    }

    [Fact]
    public async Task OpenAiClient_ToClaudeChannel_Stream()
    {
        var (user, http, _) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"fmt-claude","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"chat.completion.chunk\"", text);
        Assert.Contains("\" fake\"", text);
        Assert.Contains("\"prompt_tokens\":12", text);
        Assert.EndsWith("data: [DONE]\n\n", text);
        Assert.True(LastUpstream().Json.GetProperty("stream").GetBoolean());
        await BilledAsync(user, ["OpenAI Compatible", "Claude Messages"], claude: true);
    }

    [Fact]
    public async Task ClaudeClient_ToClaudeChannel_StreamsNativeEvents()
    {
        var (user, _, key) = await CallerAsync();
        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        http.DefaultRequestHeaders.Add("x-api-key", key);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "prompt-caching-2024-07-31");
        var resp = await http.PostAsync("/v1/messages?beta=true",
            RelayFixture.Json("""{"model":"fmt-claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.StartsWith("event: message_start\n", text);
        Assert.Contains("event: content_block_delta\n", text);
        Assert.Contains("event: message_stop\n", text);
        var up = LastUpstream();
        Assert.Equal("/v1/messages?beta=true", up.PathAndQuery);
        Assert.Equal("prompt-caching-2024-07-31", up.Header("anthropic-beta"));
        await BilledAsync(user, null, claude: true);
    }

    [Fact]
    public async Task ClaudeClient_ToOpenAiChannel_NonStreamAndStream()
    {
        var (user, http, _) = await CallerAsync();
        var resp = await http.PostAsync("/v1/messages", RelayFixture.Json("""{"model":"fmt-gpt","max_tokens":100,"system":"be brief","messages":[{"role":"user","content":"hi"}]}"""));
        var body = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("Hello from the fake upstream", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        var up = LastUpstream();
        Assert.Equal("/v1/chat/completions", up.PathAndQuery);
        Assert.Equal("system", up.Json.GetProperty("messages")[0].GetProperty("role").GetString());
        await BilledAsync(user, ["Claude Messages", "OpenAI Compatible"], claude: false);

        var (user2, http2, _) = await CallerAsync();
        var stream = await http2.PostAsync("/v1/messages", RelayFixture.Json("""{"model":"fmt-gpt","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var text = await stream.Content.ReadAsStringAsync();
        Assert.StartsWith("event: message_start\n", text);
        Assert.Contains("\"text_delta\"", text);
        Assert.Contains("event: message_stop\n", text);
        Assert.True(LastUpstream().Json.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        await BilledAsync(user2, ["Claude Messages", "OpenAI Compatible"], claude: false);
    }

    [Fact]
    public async Task GeminiClient_ToGeminiChannel_AllThreeModes()
    {
        var (user, _, key) = await CallerAsync();
        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        var body = """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""";
        var resp = await http.PostAsync($"/v1beta/models/fmt-gemini:generateContent?key={key}", RelayFixture.Json(body));
        var json = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("Hello from the fake upstream", json.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        var up = LastUpstream();
        Assert.Equal("/v1beta/models/fmt-gemini:generateContent", up.PathAndQuery);
        Assert.Equal("key-gemini", up.Header("x-goog-api-key"));
        await BilledAsync(user, null, claude: false);

        var (user2, _, key2) = await CallerAsync();
        http.DefaultRequestHeaders.Add("x-goog-api-key", key2);
        var sse = await http.PostAsync("/v1beta/models/fmt-gemini:streamGenerateContent?alt=sse", RelayFixture.Json(body));
        var text = await sse.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", sse.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("data: {", text);
        Assert.Contains("\"usageMetadata\"", text);
        Assert.Equal("/v1beta/models/fmt-gemini:streamGenerateContent?alt=sse", LastUpstream().PathAndQuery);
        await BilledAsync(user2, null, claude: false);

        var (user3, _, key3) = await CallerAsync();
        http.DefaultRequestHeaders.Remove("x-goog-api-key");
        http.DefaultRequestHeaders.Add("x-goog-api-key", key3);
        var array = await http.PostAsync("/v1beta/models/fmt-gemini:streamGenerateContent", RelayFixture.Json(body));
        Assert.Equal("application/json", array.Content.Headers.ContentType?.MediaType);
        var items = RelayFixture.Parse(await array.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Array, items.ValueKind);
        Assert.True(items.GetArrayLength() >= 2);
        await BilledAsync(user3, null, claude: false);
    }

    [Fact]
    public async Task GeminiClient_ToOpenAiChannel_AndOpenAiClient_ToGeminiChannel()
    {
        var (user, http, _) = await CallerAsync();
        var resp = await http.PostAsync("/v1beta/models/fmt-gpt:generateContent",
            RelayFixture.Json("""{"systemInstruction":{"parts":[{"text":"be brief"}]},"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""));
        var json = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("Hello from the fake upstream", json.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(12, json.GetProperty("usageMetadata").GetProperty("promptTokenCount").GetInt64());
        var up = LastUpstream();
        Assert.Equal("/v1/chat/completions", up.PathAndQuery);
        Assert.Equal("fmt-gpt", up.Json.GetProperty("model").GetString());
        await BilledAsync(user, ["Gemini", "OpenAI Compatible"], claude: false);

        var (user2, http2, _) = await CallerAsync();
        var chat = await http2.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"fmt-gemini","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var text = await chat.Content.ReadAsStringAsync();
        Assert.Contains("\"chat.completion.chunk\"", text);
        Assert.EndsWith("data: [DONE]\n\n", text);
        Assert.Equal("/v1beta/models/fmt-gemini:streamGenerateContent?alt=sse", LastUpstream().PathAndQuery);
        await BilledAsync(user2, ["OpenAI Compatible", "Gemini"], claude: false);
    }

    [Fact]
    public async Task ResponsesClient_ToClaudeChannel()
    {
        var (user, http, _) = await CallerAsync();
        var resp = await http.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"fmt-claude","input":"hi","instructions":"be brief"}"""));
        var body = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("response", body.GetProperty("object").GetString());
        Assert.Contains("Hello from the fake upstream", body.GetProperty("output").GetRawText());
        Assert.Equal("/v1/messages", LastUpstream().PathAndQuery);
        await BilledAsync(user, ["OpenAI Responses", "Claude Messages"], claude: true);
    }

    [Fact]
    public async Task Errors_AnswerInTheCallersDialect_AndBillNothing()
    {
        using var anon = new HttpClient { BaseAddress = fx.BaseAddress };
        anon.DefaultRequestHeaders.Add("x-api-key", "sk-wrong");
        var claude = await anon.PostAsync("/v1/messages", RelayFixture.Json("""{"model":"fmt-claude","max_tokens":5,"messages":[]}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, claude.StatusCode);
        var cj = RelayFixture.Parse(await claude.Content.ReadAsStringAsync());
        Assert.Equal("error", cj.GetProperty("type").GetString());
        Assert.True(cj.GetProperty("error").TryGetProperty("message", out _));

        var (user, http, _) = await CallerAsync();
        var gemini = await http.PostAsync("/v1beta/models/fmt-gemini:generateContent", RelayFixture.Json("""{"nothing":true}"""));
        Assert.Equal(HttpStatusCode.BadRequest, gemini.StatusCode);
        var gj = RelayFixture.Parse(await gemini.Content.ReadAsStringAsync()).GetProperty("error");
        Assert.Equal(400, gj.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", gj.GetProperty("status").GetString());

        var badJson = await http.PostAsync("/v1/messages", RelayFixture.Json("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("error", RelayFixture.Parse(await badJson.Content.ReadAsStringAsync()).GetProperty("type").GetString());

        var limited = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"fmt-claude-429","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(RelayFixture.Parse(await limited.Content.ReadAsStringAsync()).GetProperty("error").TryGetProperty("message", out _));
        await fx.WaitReleasedAsync(user);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
    }

    [Fact]
    public async Task CountTokens_AndTheGeminiModelList()
    {
        var (user, http, _) = await CallerAsync();
        var claude = await http.PostAsync("/v1/messages/count_tokens", RelayFixture.Json("""{"model":"fmt-claude","messages":[{"role":"user","content":"hello there, how are you today?"}]}"""));
        Assert.Equal(HttpStatusCode.OK, claude.StatusCode);
        Assert.True(RelayFixture.Parse(await claude.Content.ReadAsStringAsync()).GetProperty("input_tokens").GetInt64() > 5);
        var gemini = await http.PostAsync("/v1beta/models/fmt-gemini:countTokens", RelayFixture.Json("""{"contents":[{"parts":[{"text":"hello there, how are you today?"}]}]}"""));
        Assert.Equal(HttpStatusCode.OK, gemini.StatusCode);
        Assert.True(RelayFixture.Parse(await gemini.Content.ReadAsStringAsync()).GetProperty("totalTokens").GetInt64() > 5);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));

        var list = RelayFixture.Parse(await http.GetStringAsync("/v1beta/models"));
        var names = list.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Contains("fmt-gemini", names);
        Assert.Contains("fmt-claude", names);
        var one = RelayFixture.Parse(await http.GetStringAsync("/v1beta/models/fmt-gemini"));
        Assert.Equal("fmt-gemini", one.GetProperty("name").GetString());
        var missing = await http.GetAsync("/v1beta/models/no-such-model");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NOT_FOUND", RelayFixture.Parse(await missing.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("status").GetString());
        var unknown = await http.PostAsync("/v1beta/models/fmt-gemini:frobnicate", RelayFixture.Json("{}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NOT_FOUND", RelayFixture.Parse(await unknown.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ResponsesClient_ToAChatOnlyVendor_IsConvertedToChatCompletions()
    {
        var (user, http, _) = await CallerAsync();
        var resp = await http.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"fmt-deepseek","input":"hi","instructions":"be brief"}"""));
        var body = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("response", body.GetProperty("object").GetString());
        Assert.Contains("Hello from the fake upstream", body.GetProperty("output").GetRawText());
        var up = LastUpstream();
        Assert.Equal("/v1/chat/completions", up.PathAndQuery);
        Assert.Equal("system", up.Json.GetProperty("messages")[0].GetProperty("role").GetString());
        await BilledAsync(user, ["OpenAI Responses", "OpenAI Compatible"], claude: false);

        var (user2, http2, _) = await CallerAsync();
        var stream = await http2.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"fmt-deepseek","input":"hi","stream":true}"""));
        var text = await stream.Content.ReadAsStringAsync();
        Assert.StartsWith("event: response.created\n", text);
        Assert.Contains("event: response.output_text.delta\n", text);
        Assert.Contains("event: response.completed\n", text);
        await BilledAsync(user2, ["OpenAI Responses", "OpenAI Compatible"], claude: false);
    }

    [Fact]
    public async Task ResponsesClient_OnAChatOnlyVendor_CanReferToEarlierAnswers_ByResponseIdAndItemReference()
    {
        var (_, http, _) = await CallerAsync();
        var first = RelayFixture.Parse(await (await http.PostAsync("/v1/responses",
            RelayFixture.Json("""{"model":"fmt-deepseek","input":[{"role":"user","content":"first question"}]}"""))).Content.ReadAsStringAsync());
        var firstId = first.GetProperty("id").GetString()!;
        var message = first.GetProperty("output").EnumerateArray().First(i => i.GetProperty("type").GetString() == "message");
        var itemId = message.GetProperty("id").GetString()!;

        // The Vercel AI SDK's second turn: the earlier answer as an item reference.
        var byItem = await http.PostAsync("/v1/responses", RelayFixture.Json($$"""
            {"model":"fmt-deepseek","input":[{"role":"user","content":"first question"},{"type":"item_reference","id":"{{itemId}}"},{"role":"user","content":"second question"}]}
            """));
        Assert.Equal(HttpStatusCode.OK, byItem.StatusCode);
        var messages = LastUpstream().Json.GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()!).ToArray());
        Assert.Contains("Hello from the fake upstream", messages[1].GetRawText());

        // previous_response_id: that request's input and its answer come first, streamed as well.
        var byId = await http.PostAsync("/v1/responses", RelayFixture.Json($$"""
            {"model":"fmt-deepseek","previous_response_id":"{{firstId}}","input":"third question","stream":true}
            """));
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Contains("event: response.completed\n", await byId.Content.ReadAsStringAsync());
        var chained = LastUpstream().Json.GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], chained.EnumerateArray().Select(m => m.GetProperty("role").GetString()!).ToArray());
        Assert.Contains("first question", chained[0].GetRawText());
        Assert.Contains("third question", chained[2].GetRawText());

        // Ids that are unknown, or another user's, are the client's 400 in OpenAI's words.
        var unknown = await http.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"fmt-deepseek","previous_response_id":"resp_nope","input":"x"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var error = RelayFixture.Parse(await unknown.Content.ReadAsStringAsync()).GetProperty("error");
        Assert.StartsWith("Previous response with id 'resp_nope' not found.", error.GetProperty("message").GetString());
        Assert.Equal("previous_response_id", error.GetProperty("param").GetString());
        var (_, other, _) = await CallerAsync();
        var foreign = await other.PostAsync("/v1/responses", RelayFixture.Json($$"""
            {"model":"fmt-deepseek","input":[{"type":"item_reference","id":"{{itemId}}"}]}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains($"Item with id '{itemId}' not found.", await foreign.Content.ReadAsStringAsync());

        // The converted answer can be read back, listed and deleted by its owner only, like a stored OpenAI response.
        var read = await http.GetAsync($"/v1/responses/{firstId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(firstId, RelayFixture.Parse(await read.Content.ReadAsStringAsync()).GetProperty("id").GetString());
        var inputs = RelayFixture.Parse(await http.GetStringAsync($"/v1/responses/{firstId}/input_items"));
        Assert.Equal("list", inputs.GetProperty("object").GetString());
        Assert.Contains("first question", inputs.GetProperty("data")[0].GetRawText());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync($"/v1/responses/{firstId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/responses/{firstId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/v1/responses/{firstId}")).StatusCode);
        var deleted = RelayFixture.Parse(await (await http.DeleteAsync($"/v1/responses/{firstId}")).Content.ReadAsStringAsync());
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/responses/{firstId}")).StatusCode);
        var afterDelete = await http.PostAsync("/v1/responses", RelayFixture.Json($$"""
            {"model":"fmt-deepseek","input":[{"type":"item_reference","id":"{{itemId}}"}]}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, afterDelete.StatusCode);

        // store: false is not kept.
        var unstored = RelayFixture.Parse(await (await http.PostAsync("/v1/responses",
            RelayFixture.Json("""{"model":"fmt-deepseek","input":"x","store":false}"""))).Content.ReadAsStringAsync());
        var again = await http.PostAsync("/v1/responses", RelayFixture.Json($$"""
            {"model":"fmt-deepseek","previous_response_id":"{{unstored.GetProperty("id").GetString()}}","input":"y"}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }
}
