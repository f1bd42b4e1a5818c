using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NewApi.Common;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// Malformed bodies on the four chat surfaces, against channels of every dialect: whatever the shape, the answer is
/// never a 5xx of ours, and a refusal is in the caller's own error format. Deterministic mutations of valid bodies
/// (wrong types, nulls, empty and nested junk in every field).
/// </summary>
public sealed class MalformedFormatTests(MalformedFormatTests.Fixture fx) : IClassFixture<MalformedFormatTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"mf-gpt":1,"mf-claude":1,"mf-gemini":1,"dall-e-3":1,"tts-1":1,"rerank-1":1,"text-moderation-stable":1}""");
            await CreateChannelAsync("dall-e-3,tts-1,rerank-1,text-moderation-stable", key: "key-ok");
            await CreateChannelAsync("mf-gpt", key: "key-ok");
            await CreateChannelAsync("mf-claude", key: "key-ok", type: ChannelType.Anthropic);
            await CreateChannelAsync("mf-gemini", key: "key-ok", type: ChannelType.Gemini);
        }
    }

    private static readonly string[] Models = ["mf-gpt", "mf-claude", "mf-gemini"];

    /// <summary>A client sending the key of a fresh user with a large balance.</summary>
    private async Task<HttpClient> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("mf"), 100_000_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        return fx.Client(key);
    }

    private static readonly JsonNode?[] Junk =
    [
        null, JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1e300), JsonValue.Create(true), JsonValue.Create(""),
        JsonValue.Create("x"), new JsonArray(), new JsonObject(), new JsonArray(JsonValue.Create(1), null, new JsonObject()),
        new JsonObject { ["type"] = "image", ["source"] = new JsonObject() }, new JsonObject { ["type"] = "tool_use" },
        new JsonObject { ["inlineData"] = new JsonObject { ["data"] = 5 } }, new JsonArray(new JsonObject { ["type"] = "nonsense" }),
    ];

    private static JsonObject Valid(string surface, string model) => surface switch
    {
        "claude" => WithModel(model, """{"max_tokens":20,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}]}"""),
        "gemini" => JsonNode.Parse("""{"systemInstruction":{"parts":[{"text":"s"}]},"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"r":1}}}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"object"}}]}],"generationConfig":{"maxOutputTokens":20}}""")!.AsObject(),
        "responses" => WithModel(model, """{"instructions":"s","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"ok"}],"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]}"""),
        _ => WithModel(model, """{"messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}"""),
    };

    private static JsonObject WithModel(string model, string json)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body["model"] = model;
        return body;
    }

    /// <summary>Replaces one node somewhere in the body (chosen by the seed) with junk.</summary>
    private static void Mutate(JsonNode root, Random random)
    {
        var nodes = new List<(JsonNode Parent, object Key)>();
        Collect(root, nodes);
        if (nodes.Count == 0) return;
        var (parent, key) = nodes[random.Next(nodes.Count)];
        var junk = Junk[random.Next(Junk.Length)]?.DeepClone();
        if (parent is JsonObject o && key is string name)
        {
            if (name == "model") return;   // keep it routable: the point is the converters, not the distributor
            o[name] = junk;
        }
        else if (parent is JsonArray a && key is int i) a[i] = junk;
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                into.Add((o, k));
                if (v is not null) Collect(v, into);
            }
        else if (node is JsonArray a)
            for (var i = 0; i < a.Count; i++)
            {
                into.Add((a, i));
                if (a[i] is { } child) Collect(child, into);
            }
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("claude")]
    [InlineData("gemini")]
    [InlineData("responses")]
    public async Task MutatedBodies_NeverGiveA5xxOfOurs(string surface)
    {
        using var http = await CallerAsync();
        var random = new Random(surface.Length * 7919);
        var failures = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            var model = Models[i % Models.Length];
            var body = Valid(surface, model);
            var stream = i % 2 == 1;
            if (surface != "gemini") body["stream"] = stream;
            for (var m = 0; m < 1 + i % 3; m++) Mutate(body, random);
            var path = surface switch
            {
                "claude" => "/v1/messages",
                "gemini" => $"/v1beta/models/{model}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}",
                "responses" => "/v1/responses",
                _ => "/v1/chat/completions",
            };
            var json = body.ToJsonString();
            using var resp = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
            var text = await resp.Content.ReadAsStringAsync();
            // A 5xx the (equally strict) fake upstream gave back is the upstream's; ours says "internal error".
            if ((int)resp.StatusCode >= 500 && !text.Contains("bad response status code", StringComparison.Ordinal)) failures.Add($"{(int)resp.StatusCode} {path} {json} => {text}");
            else if (resp.StatusCode != HttpStatusCode.OK)
            {
                var error = RelayFixture.Parse(text);
                var shaped = surface switch
                {
                    "claude" => error.TryGetProperty("type", out var t) && t.GetString() == "error",
                    "gemini" => error.TryGetProperty("error", out var e) && e.TryGetProperty("status", out _),
                    _ => error.TryGetProperty("error", out var e2) && e2.TryGetProperty("message", out _),
                };
                if (!shaped) failures.Add($"unshaped {(int)resp.StatusCode} {path} {json} => {text}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
    }

    [Theory]
    [InlineData("/v1/completions", """{"model":"mf-gpt","prompt":["a","b"],"suffix":"s","max_tokens":5,"stream":false}""")]
    [InlineData("/v1/embeddings", """{"model":"mf-gpt","input":["a",[1,2]],"dimensions":3}""")]
    [InlineData("/v1/embeddings", """{"model":"mf-gemini","input":["a","b"],"dimensions":3}""")]
    [InlineData("/v1/moderations", """{"input":["a","b"]}""")]
    [InlineData("/v1/rerank", """{"model":"rerank-1","query":"q","documents":["a",{"text":"b"}],"top_n":1}""")]
    [InlineData("/v1/images/generations", """{"model":"dall-e-3","prompt":"p","n":1,"size":"1024x1024","quality":"hd"}""")]
    [InlineData("/v1/audio/speech", """{"model":"tts-1","input":"hello","voice":"alloy","response_format":"mp3"}""")]
    [InlineData("/v1beta/models/mf-gemini:batchEmbedContents", """{"requests":[{"model":"models/mf-gemini","content":{"parts":[{"text":"a"}]}}]}""")]
    [InlineData("/v1/messages/count_tokens", """{"model":"mf-claude","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{}}]}""")]
    public async Task MutatedBodies_OnTheOtherRoutes_NeverGiveA5xxOfOurs(string path, string valid)
    {
        using var http = await CallerAsync();
        var random = new Random(path.Length * 104729 + valid.Length);
        var failures = new List<string>();
        for (var i = 0; i < 80; i++)
        {
            var body = JsonNode.Parse(valid)!;
            for (var m = 0; m < 1 + i % 3; m++) Mutate(body, random);
            var json = body.ToJsonString();
            using var resp = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
            var text = await resp.Content.ReadAsStringAsync();
            if ((int)resp.StatusCode >= 500 && !text.Contains("bad response status code", StringComparison.Ordinal))
                failures.Add($"{(int)resp.StatusCode} {path} {json} => {text}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
    }

    /// <summary>JSON whose strings cannot be read (invalid UTF-8, an unpaired surrogate escape) is the caller's 400 in its
    /// own format on every surface; it used to fail deep inside a handler as a 500.</summary>
    [Theory]
    [InlineData("/v1/chat/completions", "openai", "{\"model\":\"mf-gpt#\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("/v1/chat/completions", "openai", "{\"model\":\"mf-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi#\"}]}")]
    [InlineData("/v1/chat/completions", "openai", "{\"model\":\"\\ud800\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("/v1/responses", "openai", "{\"model\":\"mf-gpt\",\"input\":\"a\\udc00b\"}")]
    [InlineData("/v1/messages", "claude", "{\"model\":\"mf-claude\",\"max_tokens\":5,\"#\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("/v1/messages/count_tokens", "claude", "{\"model\":\"mf-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"\\ud83d\"}]}")]
    [InlineData("/v1beta/models/mf-gemini:generateContent", "gemini", "{\"contents\":[{\"parts\":[{\"text\":\"#\"}]}]}")]
    [InlineData("/v1beta/models/mf-gemini:countTokens", "gemini", "{\"contents\":[{\"parts\":[{\"text\":\"\\ud800x\"}]}]}")]
    public async Task UndecodableStrings_Are400InTheCallersFormat(string path, string surface, string template)
    {
        using var http = await CallerAsync();
        // '#' stands for the byte 0xFF, which no UTF-8 text contains.
        var bytes = Encoding.UTF8.GetBytes(template).Select(b => b == (byte)'#' ? (byte)0xFF : b).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var resp = await http.PostAsync(path, content);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.BadRequest, $"{(int)resp.StatusCode} {text}");
        var error = RelayFixture.Parse(text);
        Assert.True(surface switch
        {
            "claude" => error.GetProperty("type").GetString() == "error",
            "gemini" => error.GetProperty("error").TryGetProperty("status", out _),
            _ => error.GetProperty("error").TryGetProperty("message", out _),
        }, text);
    }

    /// <summary>
    /// A chunk size too large for any number reaches Kestrel's reader as a plain IOException, a non-hex one as a bad
    /// request: both a 400 in the caller's format, with the request id on the relay (as every local relay error).
    /// </summary>
    [Theory]
    [InlineData("/v1/chat/completions", "ffffffffffffffffffff")]
    [InlineData("/v1/messages", "ffffffffffffffffffff")]
    [InlineData("/api/user/login", "ffffffffffffffffffff")]
    [InlineData("/v1/chat/completions", "ZZ")]
    [InlineData("/v1/messages", "ZZ")]
    [InlineData("/api/user/login", "ZZ")]
    public async Task MalformedChunkSize_Is400_InTheCallersFormat(string path, string size)
    {
        using var http = await CallerAsync();
        var key = http.DefaultRequestHeaders.Authorization!.Parameter;
        var address = http.BaseAddress!;
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        var request = $"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                      + $"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{size}\r\n{{}}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        var answer = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400", answer);
        var body = answer[answer.IndexOf('{')..(answer.LastIndexOf('}') + 1)];
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        if (path.StartsWith("/api/"))
        {
            Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
            return;
        }
        var error = doc.RootElement.GetProperty("error");
        Assert.Contains("(request id: ", error.GetProperty("message").GetString());
        if (path == "/v1/messages") Assert.Equal("error", doc.RootElement.GetProperty("type").GetString());
    }
}
