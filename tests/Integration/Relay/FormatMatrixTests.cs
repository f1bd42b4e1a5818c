using System.Net;
using System.Text.Json;
using NewApi.Common;
using NewApi.Tests.Integration.Relay.Matrix;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// Every client dialect (OpenAI chat, Claude messages, Gemini, OpenAI Responses) against every channel dialect (OpenAI
/// compatible, Anthropic, Gemini), through the running server: a text answer, a stream, a tool-call round trip (stream
/// and not), an image input, an upstream error, and what each is billed. Answers are decoded with the field names the
/// official SDKs read (<see cref="IngressClient"/>); what the provider received is checked in its own dialect
/// (<see cref="UpstreamShape"/>). The fake reports 12 prompt and 5 completion tokens: (12 + 5 × 3) × 2 = 54 per call.
/// </summary>
public sealed class FormatMatrixTests(FormatMatrixTests.Fixture fx) : IClassFixture<FormatMatrixTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Upstream.DetailedResponsesStream = true;
            var models = new List<string>();
            foreach (var egress in Enum.GetValues<Egress>())
            {
                var type = egress switch { Egress.Claude => ChannelType.Anthropic, Egress.Gemini => ChannelType.Gemini, _ => ChannelType.OpenAI };
                await CreateChannelAsync(Model(egress), key: "key-ok", type: type);
                models.Add(Model(egress));
                foreach (var fault in Faults)
                {
                    await CreateChannelAsync(Model(egress, fault), key: "key-" + fault, type: type);
                    models.Add(Model(egress, fault));
                }
            }
            await SetOptionAsync("ModelRatio", "{" + string.Join(",", models.Select(m => $"\"{m}\":2")) + "}");
            await SetOptionAsync("CompletionRatio", "{" + string.Join(",", models.Select(m => $"\"{m}\":3")) + "}");
        }
    }

    private static readonly string[] Faults = ["429", "400"];
    private const long PerCall = 54;
    private const long Balance = 100_000;
    private const string Reply = "Hello from the fake upstream";

    public static string Model(Egress egress, string? fault = null) => "mx-" + egress.ToString().ToLowerInvariant() + (fault is null ? "" : "-" + fault);

    public static TheoryData<Ingress, Egress> Pairs()
    {
        var data = new TheoryData<Ingress, Egress>();
        foreach (var ingress in Enum.GetValues<Ingress>())
            foreach (var egress in Enum.GetValues<Egress>())
                data.Add(ingress, egress);
        return data;
    }

    public static TheoryData<Ingress, Egress, string, bool> ErrorCases()
    {
        var data = new TheoryData<Ingress, Egress, string, bool>();
        foreach (var ingress in Enum.GetValues<Ingress>())
            foreach (var egress in Enum.GetValues<Egress>())
            {
                data.Add(ingress, egress, "429", false);
                data.Add(ingress, egress, "400", true);
            }
        return data;
    }

    private async Task<(long User, HttpClient Http, string Key)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("mx"), Balance);
        var (_, key) = await fx.CreateTokenAsync(user);
        return (user, new HttpClient { BaseAddress = fx.BaseAddress }, key);
    }

    private static async Task<JsonElement> JsonOkAsync(HttpResponseMessage resp)
    {
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.OK, $"{(int)resp.StatusCode}: {text}");
        Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
        return RelayFixture.Parse(text);
    }

    private static async Task<List<SseFrame>> StreamOkAsync(HttpResponseMessage resp)
    {
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.OK, $"{(int)resp.StatusCode}: {text}");
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        return SseFrame.Parse(text);
    }

    /// <summary>Each of <paramref name="calls"/> successful calls is one consume log of 54, with the conversion New API records.</summary>
    private async Task BilledAsync(long user, Ingress ingress, Egress egress, int calls = 1)
    {
        var logs = await RelayAssert.LogsAsync(fx, user, calls);
        Assert.Equal(calls, logs.Count);
        var client = IngressClient.For(ingress);
        var upstream = egress switch { Egress.Claude => "Claude Messages", Egress.Gemini => "Gemini", _ => "OpenAI Compatible" };
        var native = client.ConversionName == upstream || (ingress == Ingress.Responses && egress == Egress.OpenAi);
        foreach (var log in logs)
        {
            Assert.Equal(PerCall, log.Quota);
            Assert.Equal(12, log.PromptTokens);
            Assert.Equal(5, log.CompletionTokens);
            var other = RelayAssert.Other(log.Other);
            if (native) Assert.False(other.TryGetProperty("request_conversion", out _), log.Other);
            else Assert.Equal([client.ConversionName, upstream], other.GetProperty("request_conversion").EnumerateArray().Select(e => e.GetString()!).ToArray());
            Assert.Equal(egress == Egress.Claude, other.TryGetProperty("claude", out var c) && c.GetBoolean());
        }
        Assert.Equal((Balance - PerCall * calls, PerCall * calls, (long)calls), await fx.UserAsync(user));
    }

    private static void AssertUsage(Decoded answer)
    {
        Assert.Equal(12, answer.PromptTokens);
        Assert.Equal(5, answer.CompletionTokens);
    }

    [Theory, MemberData(nameof(Pairs))]
    public async Task Text_NonStream(Ingress ingress, Egress egress)
    {
        var client = IngressClient.For(ingress);
        var (user, http, key) = await CallerAsync();
        var answer = client.DecodeJson(await JsonOkAsync(await client.SendAsync(http, key, Model(egress), client.TextBody(Model(egress), false), false)));
        Assert.Equal(Reply, answer.Text);
        Assert.Equal(client.ExpectedFinish(toolCall: false), answer.Finish);
        Assert.Empty(answer.Calls);
        AssertUsage(answer);
        Assert.Equal(UpstreamShape.ExpectedPath(ingress, egress, Model(egress), false), fx.Upstream.Requests.Last().PathAndQuery);
        await BilledAsync(user, ingress, egress);
    }

    [Theory, MemberData(nameof(Pairs))]
    public async Task Text_Stream(Ingress ingress, Egress egress)
    {
        var client = IngressClient.For(ingress);
        var (user, http, key) = await CallerAsync();
        var frames = await StreamOkAsync(await client.SendAsync(http, key, Model(egress), client.TextBody(Model(egress), true), true));
        Assert.True(frames.Count >= 3, $"{frames.Count} events");
        var answer = client.DecodeStream(frames);
        Assert.Equal(Reply, answer.Text);
        Assert.Equal(client.ExpectedFinish(toolCall: false), answer.Finish);
        Assert.Empty(answer.Calls);
        AssertUsage(answer);
        Assert.Equal(UpstreamShape.ExpectedPath(ingress, egress, Model(egress), true), fx.Upstream.Requests.Last().PathAndQuery);
        await BilledAsync(user, ingress, egress);
    }

    [Theory, MemberData(nameof(Pairs))]
    public async Task ToolCall_RoundTrip(Ingress ingress, Egress egress)
    {
        var client = IngressClient.For(ingress);
        var (user, http, key) = await CallerAsync();
        var first = client.DecodeJson(await JsonOkAsync(await client.SendAsync(http, key, Model(egress), client.ToolBody(Model(egress), false), false)));
        UpstreamShape.AssertToolDeclared(fx.Upstream.Requests.Last());
        var call = AssertWeatherCall(client, first);

        var second = client.DecodeJson(await JsonOkAsync(await client.SendAsync(http, key, Model(egress), client.ToolResultBody(Model(egress), call), false)));
        UpstreamShape.AssertToolResult(fx.Upstream.Requests.Last());
        Assert.Equal(Reply, second.Text);
        Assert.Empty(second.Calls);
        Assert.Equal(client.ExpectedFinish(toolCall: false), second.Finish);
        await BilledAsync(user, ingress, egress, calls: 2);
    }

    [Theory, MemberData(nameof(Pairs))]
    public async Task ToolCall_Stream(Ingress ingress, Egress egress)
    {
        var client = IngressClient.For(ingress);
        var (user, http, key) = await CallerAsync();
        var frames = await StreamOkAsync(await client.SendAsync(http, key, Model(egress), client.ToolBody(Model(egress), true), true));
        var answer = client.DecodeStream(frames);
        UpstreamShape.AssertToolDeclared(fx.Upstream.Requests.Last());
        AssertWeatherCall(client, answer);
        AssertUsage(answer);
        await BilledAsync(user, ingress, egress);
    }

    private static DecodedCall AssertWeatherCall(IngressClient client, Decoded answer)
    {
        var call = Assert.Single(answer.Calls);
        Assert.Equal(IngressClient.ToolName, call.Name);
        Assert.Equal("Paris", call.Arguments.GetProperty("city").GetString());
        Assert.False(string.IsNullOrEmpty(call.Id));
        Assert.Equal("", answer.Text);
        Assert.Equal(client.ExpectedFinish(toolCall: true), answer.Finish);
        return call;
    }

    [Theory, MemberData(nameof(Pairs))]
    public async Task Image_ReachesTheUpstreamInItsShape(Ingress ingress, Egress egress)
    {
        var client = IngressClient.For(ingress);
        var (user, http, key) = await CallerAsync();
        var answer = client.DecodeJson(await JsonOkAsync(await client.SendAsync(http, key, Model(egress), client.ImageBody(Model(egress)), false)));
        Assert.Equal(Reply, answer.Text);
        var upstream = fx.Upstream.Requests.Last();
        Assert.Equal(UpstreamShape.ExpectedPath(ingress, egress, Model(egress), false), upstream.PathAndQuery);
        UpstreamShape.AssertImage(upstream);
        await BilledAsync(user, ingress, egress);
    }

    [Theory, MemberData(nameof(ErrorCases))]
    public async Task UpstreamError_InTheClientsShape_BillsNothing(Ingress ingress, Egress egress, string fault, bool stream)
    {
        var client = IngressClient.For(ingress);
        var (user, http, key) = await CallerAsync();
        var model = Model(egress, fault);
        var body = client.TextBody(model, stream);
        var resp = await client.SendAsync(http, key, model, body, stream);
        var text = await resp.Content.ReadAsStringAsync();
        var status = int.Parse(fault, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True((int)resp.StatusCode == status, $"{(int)resp.StatusCode}: {text}");
        Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
        var message = client.AssertError(RelayFixture.Parse(text), status);
        Assert.Contains(fault == "429" ? "Rate limit reached" : "bad parameter", message);
        Assert.Equal(UpstreamShape.ExpectedPath(ingress, egress, model, stream), fx.Upstream.Requests.Last().PathAndQuery);
        await fx.WaitReleasedAsync(user);
        Assert.Empty(await RelayAssert.LogsAsync(fx, user, 0));
        Assert.Equal((Balance, 0L, 0L), await fx.UserAsync(user));
    }
}
