using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Admin.Channels;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;
using NewApi.Tests.Support;
using static NewApi.Tests.Integration.Admin.ChannelTestKit;

namespace NewApi.Tests.Integration.Admin;

/// <summary>Channel test, test-all, model lists and balances against a scripted upstream.</summary>
public sealed class ChannelProbeTests(GatewayFixture gw, ChannelUpstreamStub up) : IClassFixture<GatewayFixture>, IClassFixture<ChannelUpstreamStub>
{
    private async Task<TestClient> AdminAsync()
    {
        up.Reset();
        return await gw.UserAsync("probe_" + Guid.NewGuid().ToString("N")[..8], Role.Admin);
    }

    private Task<long> ChannelAsync(TestClient c, string name, string key, int type = 1, JsonObject? more = null, string suffix = "")
    {
        var fields = new JsonObject { ["type"] = type, ["base_url"] = up.BaseUrl + suffix };
        foreach (var (k, v) in more ?? []) fields[k] = v?.DeepClone();
        return CreateAsync(c, name, key, fields);
    }

    private async Task<List<LogRow>> LogsAsync(long channelId)
    {
        await using var conn = await gw.Services.GetRequiredService<SqliteDb>().OpenAsync();
        return await conn.QueryAsync("SELECT " + LogRow.Columns + " FROM logs WHERE channel_id = $c ORDER BY id", null, LogRow.Read, default, ("$c", channelId));
    }

    [Fact]
    public async Task Test_OpenAi_SendsTinyChat_RecordsTiming_AndLogsAnUnchargedConsumeRow()
    {
        using var admin = await AdminAsync();
        await gw.Services.GetRequiredService<OptionsStore>().SetAsync("ModelRatio", """{"gpt-4o-mini":0.5}""");
        var id = await ChannelAsync(admin, "pt-openai", "sk-probe-openai-123456", more: new JsonObject { ["openai_organization"] = "org-9" });

        var reply = await admin.GetAsync($"/api/channel/test/{id}");
        Assert.True(reply.GetProperty("success").GetBoolean(), reply.ToString());
        Assert.Equal("", reply.GetProperty("message").GetString());
        Assert.True(reply.GetProperty("time").GetDouble() >= 0);
        Assert.False(reply.TryGetProperty("error_code", out _));

        var sent = up.Last("/v1/chat/completions");
        Assert.Equal("Bearer sk-probe-openai-123456", sent.Headers["authorization"]);
        Assert.Equal("org-9", sent.Headers["openai-organization"]);
        var body = JsonNode.Parse(sent.Body)!;
        Assert.Equal("gpt-4o-mini", (string?)body["model"]);               // first listed model
        Assert.Equal(16, (int?)body["max_tokens"]);
        Assert.Equal("hi", (string?)body["messages"]![0]!["content"]);

        Assert.True((await GetAsync(admin, id)).GetProperty("test_time").GetInt64() > 0);
        var log = Assert.Single(await LogsAsync(id));
        Assert.Equal(LogType.Consume, log.Type);
        Assert.Equal("模型测试", log.TokenName);
        Assert.Equal(admin.UserId, log.UserId);
        Assert.Equal((8, 2), (log.PromptTokens, log.CompletionTokens));
        Assert.Equal(5, log.Quota);                                          // (8 + 2) × 0.5, computed…
        var user = await gw.Services.GetRequiredService<NewApi.Storage.Users.UserRepository>().FindAsync(admin.UserId);
        Assert.Equal((0, 0), (user!.Quota, user.UsedQuota));                 // …but not charged
    }

    [Fact]
    public async Task Test_ModelParam_ModelMapping_AndEndpointTypes()
    {
        using var admin = await AdminAsync();
        var id = await ChannelAsync(admin, "pt-map", "sk-map", more: new JsonObject { ["model_mapping"] = """{"alias":"mid","mid":"real-model"}""" });
        JsonAssert.Success(await admin.GetAsync($"/api/channel/test/{id}?model=alias"));
        Assert.Equal("real-model", (string?)JsonNode.Parse(up.Last("/v1/chat/completions").Body)!["model"]);
        Assert.Equal("alias", (await LogsAsync(id)).Last().ModelName);

        JsonAssert.Success(await admin.GetAsync($"/api/channel/test/{id}?model=text-embedding-3-small"));
        Assert.Equal("hello world", (string?)JsonNode.Parse(up.Last("/v1/embeddings").Body)!["input"]![0]);

        up.Routes["/v1/chat/completions"] = new(200, "data: {\"choices\":[{\"delta\":{\"content\":\"h\"}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n", "text/event-stream");
        JsonAssert.Success(await admin.GetAsync($"/api/channel/test/{id}?model=gpt-x&stream=true&endpoint_type=openai"));
        var streamed = JsonNode.Parse(up.Last("/v1/chat/completions").Body)!;
        Assert.True((bool?)streamed["stream"]);
        Assert.True((bool?)streamed["stream_options"]!["include_usage"]);
        Assert.Equal(3, (await LogsAsync(id)).Last().PromptTokens);

        up.Routes["/v1/chat/completions"] = new(200, "data: {\"error\":{\"message\":\"overloaded\"}}\n\n", "text/event-stream");
        var failed = await admin.GetAsync($"/api/channel/test/{id}?stream=true");
        JsonAssert.Failure(failed);
        Assert.Contains("overloaded", failed.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Test_ClaudeGeminiAndAzure_SpeakTheirOwnProtocols()
    {
        using var admin = await AdminAsync();
        var claude = await ChannelAsync(admin, "pt-claude", "sk-ant-probe", 14, new JsonObject { ["models"] = "claude-3-5-haiku-20241022" });
        JsonAssert.Success(await admin.GetAsync($"/api/channel/test/{claude}"));
        var sent = up.Last("/v1/messages");
        Assert.Equal("sk-ant-probe", sent.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.Equal(16, (int?)JsonNode.Parse(sent.Body)!["max_tokens"]);
        Assert.Equal((9, 3), ((await LogsAsync(claude)).Last().PromptTokens, (await LogsAsync(claude)).Last().CompletionTokens));

        var gemini = await ChannelAsync(admin, "pt-gemini", "g-key-probe", 24, new JsonObject { ["models"] = "gemini-2.0-flash" });
        JsonAssert.Success(await admin.GetAsync($"/api/channel/test/{gemini}"));
        sent = up.Last("/v1beta/models/gemini-2.0-flash:generateContent");
        Assert.Equal("g-key-probe", sent.Headers["x-goog-api-key"]);
        Assert.Equal("hi", (string?)JsonNode.Parse(sent.Body)!["contents"]![0]!["parts"]![0]!["text"]);

        up.Routes["/openai/deployments/gpt-4o/chat/completions"] = new(200, ChannelUpstreamStub.ChatOk);
        var azure = await ChannelAsync(admin, "pt-azure", "az-key", 3, new JsonObject { ["models"] = "gpt-4o", ["other"] = "2024-10-21" });
        JsonAssert.Success(await admin.GetAsync($"/api/channel/test/{azure}"));
        sent = up.Last("/openai/deployments/gpt-4o/chat/completions");
        Assert.Equal("?api-version=2024-10-21", sent.Query);
        Assert.Equal("az-key", sent.Headers["api-key"]);

        var mj = await ChannelAsync(admin, "pt-mj", "mj-key", 2);
        var refused = await admin.GetAsync($"/api/channel/test/{mj}");
        JsonAssert.Failure(refused);
        Assert.Contains("not supported", refused.GetProperty("message").GetString());
        JsonAssert.Failure(await admin.GetAsync("/api/channel/test/999999"));
    }

    [Fact]
    public async Task Test_UpstreamRejection_ReportsCodeAndStatus_ScrubsTheKey_AndDoesNotDisable()
    {
        using var admin = await AdminAsync();
        await gw.Services.GetRequiredService<OptionsStore>().SetAsync("AutomaticDisableChannelEnabled", "true");
        const string key = "sk-rejected-key-abcdef123";
        var id = await ChannelAsync(admin, "pt-reject", key);
        up.Routes["/v1/chat/completions"] = new(401, $$$"""{"error":{"message":"Incorrect API key provided: {{{key}}}","type":"invalid_request_error","code":"invalid_api_key"}}""");
        var reply = await admin.GetAsync($"/api/channel/test/{id}");
        JsonAssert.Failure(reply);
        Assert.Equal("invalid_api_key", reply.GetProperty("error_code").GetString());
        Assert.Contains("401", reply.GetProperty("message").GetString());
        NoKey(reply, key);
        Assert.Equal(1, (await GetAsync(admin, id)).GetProperty("status").GetInt32());   // a single test never disables
        Assert.Empty(await LogsAsync(id));
        await gw.Services.GetRequiredService<OptionsStore>().SetAsync("AutomaticDisableChannelEnabled", "false");
    }

    [Fact]
    public async Task TestAll_RunsInTheBackground_409WhileRunning_DisablesAndReenablesPerOptions()
    {
        using var admin = await AdminAsync();
        var options = gw.Services.GetRequiredService<OptionsStore>();
        await options.SetAsync("AutomaticDisableChannelEnabled", "true");
        await options.SetAsync("AutomaticEnableChannelEnabled", "true");
        up.Routes["/bad/v1/chat/completions"] = new(401, """{"error":{"message":"invalid key","code":"invalid_api_key"}}""");
        var good = await ChannelAsync(admin, "ta-good", "k-ta-good", more: new JsonObject { ["models"] = "ta-m" });
        var bad = await ChannelAsync(admin, "ta-bad", "k-ta-bad", more: new JsonObject { ["models"] = "ta-m" }, suffix: "/bad");
        var manual = await ChannelAsync(admin, "ta-manual", "k-ta-manual", more: new JsonObject { ["models"] = "ta-m", ["status"] = 2 }, suffix: "/manual");
        var recovering = await ChannelAsync(admin, "ta-back", "k-ta-back", more: new JsonObject { ["models"] = "ta-m" }, suffix: "/back");
        up.Routes["/back/v1/chat/completions"] = new(200, ChannelUpstreamStub.ChatOk);
        await gw.Services.GetRequiredService<NewApi.Relay.Routing.ChannelDisabler>().DisableAsync(recovering, 0, "earlier failure", default);

        up.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        up.GateReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        up.GatedPath = "/v1/chat/completions";
        var started = await admin.GetAsync("/api/channel/test");
        JsonAssert.Success(started);
        Assert.Equal("channel_test", started.GetProperty("data").GetProperty("type").GetString());
        var taskId = started.GetProperty("data").GetProperty("task_id").GetInt64();
        await up.GateReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var busy = await admin.Http.GetAsync("/api/channel/test");
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        var busyBody = await TestClient.ReadAsync(busy);
        JsonAssert.Failure(busyBody);
        Assert.Equal(taskId, busyBody.GetProperty("data").GetProperty("task_id").GetInt64());
        Assert.Equal("running", busyBody.GetProperty("data").GetProperty("status").GetString());
        up.Gate.SetResult();
        await gw.Services.GetRequiredService<ChannelTestRunner>().Completion.WaitAsync(TimeSpan.FromSeconds(60));

        var badRow = await GetAsync(admin, bad);
        Assert.Equal(3, badRow.GetProperty("status").GetInt32());
        Assert.Contains("invalid key", badRow.GetProperty("other_info").GetString());
        Assert.Equal(1, (await GetAsync(admin, good)).GetProperty("status").GetInt32());
        Assert.Equal(1, (await GetAsync(admin, recovering)).GetProperty("status").GetInt32());
        Assert.Equal(2, (await GetAsync(admin, manual)).GetProperty("status").GetInt32());
        Assert.DoesNotContain(up.Requests, r => r.Path.StartsWith("/manual", StringComparison.Ordinal));
        Assert.Equal([good, recovering], Routed(gw, "default", "ta-m").Order().ToList());
        await options.SetAsync("AutomaticDisableChannelEnabled", "false");
        await options.SetAsync("AutomaticEnableChannelEnabled", "false");
    }

    [Fact]
    public async Task Balance_PerProviderApi_TopLevelBalance_Stored()
    {
        using var admin = await AdminAsync();
        var openai = await ChannelAsync(admin, "bal-openai", "sk-bal");
        var reply = await admin.GetAsync($"/api/channel/update_balance/{openai}");
        Assert.True(reply.GetProperty("success").GetBoolean(), reply.ToString());
        Assert.Equal(100.0, reply.GetProperty("balance").GetDouble(), 6);            // 120.5 − 2050 cents
        Assert.False(reply.TryGetProperty("data", out _));
        Assert.Equal(100.0, (await GetAsync(admin, openai)).GetProperty("balance").GetDouble(), 6);
        Assert.Contains("start_date=", up.Last("/v1/dashboard/billing/usage").Query);

        var router = await ChannelAsync(admin, "bal-router", "sk-or", 20, suffix: "/api");
        Assert.Equal(37.75, (await admin.GetAsync($"/api/channel/update_balance/{router}")).GetProperty("balance").GetDouble(), 6);
        // NewApi: New API stored the CNY figures of DeepSeek and SiliconFlow as USD; they are converted with the Price option (7.3).
        var deepseek = await ChannelAsync(admin, "bal-ds", "sk-ds", 43);
        Assert.Equal(10.0, (await admin.GetAsync($"/api/channel/update_balance/{deepseek}")).GetProperty("balance").GetDouble(), 6);
        var moonshot = await ChannelAsync(admin, "bal-moon", "sk-moon", 25);
        Assert.Equal(5.0, (await admin.GetAsync($"/api/channel/update_balance/{moonshot}")).GetProperty("balance").GetDouble(), 6);
        var silicon = await ChannelAsync(admin, "bal-sf", "sk-sf", 40);
        Assert.Equal(2.0, (await admin.GetAsync($"/api/channel/update_balance/{silicon}")).GetProperty("balance").GetDouble(), 6);

        var mistral = await ChannelAsync(admin, "bal-mistral", "sk-mistral", 42);
        var none = await admin.GetAsync($"/api/channel/update_balance/{mistral}");
        JsonAssert.Failure(none);
        Assert.Equal("尚未实现", none.GetProperty("message").GetString());
        JsonAssert.Failure(await admin.GetAsync("/api/channel/update_balance/999999"));
    }

    [Fact]
    public async Task Balance_MultiKeyRefused_BulkDisablesEmptyAccounts()
    {
        using var admin = await AdminAsync();
        var multi = new JsonObject
        {
            ["mode"] = "multi_to_single",
            ["channel"] = new JsonObject { ["name"] = "bal-multi", ["type"] = 1, ["key"] = "a\nb", ["base_url"] = up.BaseUrl },
        };
        JsonAssert.Success(await admin.PostAsync("/api/channel/", multi));
        JsonAssert.Failure(await admin.GetAsync($"/api/channel/update_balance/{await IdOfAsync(admin, "bal-multi")}"));

        up.Routes["/empty/v1/dashboard/billing/subscription"] = new(200, """{"has_payment_method":false,"hard_limit_usd":5}""");
        up.Routes["/empty/v1/dashboard/billing/usage"] = new(200, """{"total_usage":500}""");
        var empty = await ChannelAsync(admin, "bal-empty", "sk-empty", more: new JsonObject { ["models"] = "bal-m" }, suffix: "/empty");
        var funded = await ChannelAsync(admin, "bal-funded", "sk-funded", more: new JsonObject { ["models"] = "bal-m" });
        JsonAssert.Success(await admin.GetAsync("/api/channel/update_balance"));
        var row = await GetAsync(admin, empty);
        Assert.Equal(3, row.GetProperty("status").GetInt32());
        Assert.Contains("余额不足", row.GetProperty("other_info").GetString());
        Assert.Equal(100.0, (await GetAsync(admin, funded)).GetProperty("balance").GetDouble(), 6);
        Assert.Equal([funded], Routed(gw, "default", "bal-m"));
    }

    [Fact]
    public async Task FetchModels_ById_PerFamily()
    {
        using var admin = await AdminAsync();
        var openai = await ChannelAsync(admin, "fm-openai", "sk-fm-1\nsk-fm-2");
        Assert.Equal(["gpt-a", "gpt-b"], Strings(await admin.GetAsync($"/api/channel/fetch_models/{openai}")));
        Assert.Equal("Bearer sk-fm-1", up.Last("/v1/models").Headers["authorization"]);
        var ollama = await ChannelAsync(admin, "fm-ollama", "ollama", 4);
        Assert.Equal(["llama3:8b", "qwen2:7b"], Strings(await admin.GetAsync($"/api/channel/fetch_models/{ollama}")));
        var gemini = await ChannelAsync(admin, "fm-gemini", "g-key", 24);
        Assert.Equal(["gemini-2.0-flash", "gemini-2.5-pro"], Strings(await admin.GetAsync($"/api/channel/fetch_models/{gemini}")));
        Assert.Equal("g-key", up.Last("/v1beta/models").Headers["x-goog-api-key"]);
        var claude = await ChannelAsync(admin, "fm-claude", "ant-key", 14);
        JsonAssert.Success(await admin.GetAsync($"/api/channel/fetch_models/{claude}"));
        Assert.Equal("ant-key", up.Last("/v1/models").Headers["x-api-key"]);

        up.Routes["/v1/models"] = new(500, """{"error":{"message":"boom"}}""");
        var failed = await admin.GetAsync($"/api/channel/fetch_models/{openai}");
        JsonAssert.Failure(failed);
        Assert.Contains("boom", failed.GetProperty("message").GetString());
    }

    [Fact]
    public async Task FetchModels_ByUrl_GuardsUnsavedUrls_TrustsSavedChannelBaseUrls()
    {
        using var admin = await AdminAsync();
        var unsaved = up.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var refused = await admin.Http.PostAsJsonAsync("/api/channel/fetch_models", new { base_url = unsaved, type = 1, key = "k" });
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        JsonAssert.Failure(await TestClient.ReadAsync(refused));
        Assert.Empty(up.Requests);                                              // never contacted

        await ChannelAsync(admin, "fm-saved", "k-saved");
        var ok = await admin.PostAsync("/api/channel/fetch_models", new { base_url = up.BaseUrl + "/", type = 1, key = "first-line\nsecond-line" });
        Assert.Equal(["gpt-a", "gpt-b"], Strings(ok));
        Assert.Equal("Bearer first-line", up.Last("/v1/models").Headers["authorization"]);
        var bad = await admin.Http.PostAsJsonAsync("/api/channel/fetch_models", new { base_url = "not a url", type = 1, key = "k" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static List<string?> Strings(JsonElement body)
    {
        JsonAssert.Success(body);
        return [.. body.GetProperty("data").EnumerateArray().Select(e => e.GetString())];
    }
}
