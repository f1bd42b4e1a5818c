using System.Text;
using System.Text.Json.Nodes;
using NewApi.Common;
using NewApi.Relay.Adapters;
using NewApi.Relay.Adapters.OpenAi;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Routing;
using NewApi.Storage.Channels;

namespace NewApi.Tests.Unit.Relay;

public sealed class OpenAiAdapterTests
{
    private static UpstreamTarget Target(ChannelType type, string baseUrl = "https://up.test") =>
        new(new ChannelRow { Type = type }, new ChannelRuntime { Keys = ["k"] }, VendorProfiles.For(type)!, "k", 0, baseUrl);

    private static (JsonObject Body, RelayRequest Request) Prepare(string json, ChannelType type)
    {
        var request = RelayRequest.Parse(RouteKind.ChatCompletions, Encoding.UTF8.GetBytes(json)).Request!;
        var body = (JsonObject)JsonNode.Parse(json)!;
        OpenAiAdapter.Instance.PrepareBody(body, Target(type), request, forceStreamUsage: true);
        return (body, request);
    }

    [Fact]
    public void UpstreamUri_IsBuiltOncePerChannelAndRoutePath_AndNeverForPathsWithIds()
    {
        var target = Target(ChannelType.OpenAI, "https://up.test/");
        var a = OpenAiAdapter.Instance.BuildUri(target, RouteKind.ChatCompletions, "/v1/chat/completions", "m");
        var b = OpenAiAdapter.Instance.BuildUri(target, RouteKind.ChatCompletions, "/v1/chat/completions", "other-model");
        Assert.Equal("https://up.test/v1/chat/completions", a.ToString());
        Assert.Same(a, b);
        var embeddings = OpenAiAdapter.Instance.BuildUri(target, RouteKind.Embeddings, "/v1/embeddings", "m");
        Assert.Equal("https://up.test/v1/embeddings", embeddings.ToString());
        const string stored = "/v1/responses/resp_0123456789abcdef0123456789abcdef";
        var first = OpenAiAdapter.Instance.BuildUri(target, RouteKind.Responses, stored, "");
        Assert.Equal("https://up.test" + stored, first.ToString());
        Assert.NotSame(first, OpenAiAdapter.Instance.BuildUri(target, RouteKind.Responses, stored, ""));
        // A new channel version (new runtime) builds its own.
        Assert.NotSame(a, OpenAiAdapter.Instance.BuildUri(Target(ChannelType.OpenAI, "https://up.test/"), RouteKind.ChatCompletions, "/v1/chat/completions", "m"));
    }

    [Fact]
    public void BearerValue_IsMadeOncePerKey_AndOnlyForTheRuntimesOwnKeys()
    {
        var runtime = new ChannelRuntime { Keys = ["k1", "k2"] };
        Assert.Equal("Bearer k2", runtime.BearerFor(1, runtime.Keys[1]));
        Assert.Same(runtime.BearerFor(1, runtime.Keys[1]), runtime.BearerFor(1, runtime.Keys[1]));
        Assert.Equal("Bearer other", runtime.BearerFor(1, "other"));
        Assert.Equal("Bearer x", runtime.BearerFor(-1, "x"));
    }

    [Fact]
    public void Streams_AskForUsage_WhereTheVendorAcceptsStreamOptions()
    {
        var (openAi, _) = Prepare("""{"model":"m","stream":true,"messages":[]}""", ChannelType.OpenAI);
        Assert.True(openAi["stream_options"]!["include_usage"]!.GetValue<bool>());
        var (mistral, _) = Prepare("""{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}""", ChannelType.Mistral);
        Assert.Null(mistral["stream_options"]);
        var (plain, _) = Prepare("""{"model":"m","stream_options":{"include_usage":true},"messages":[]}""", ChannelType.OpenAI);
        Assert.Null(plain["stream_options"]);   // OpenAI refuses stream_options without stream
    }

    [Fact]
    public void ReasoningModels_TakeMaxCompletionTokens_AndLoseSamplingFields()
    {
        var (o3, _) = Prepare("""{"model":"o3-mini","max_tokens":100,"temperature":0.5,"top_p":1,"messages":[]}""", ChannelType.OpenAI);
        Assert.Equal(100, o3["max_completion_tokens"]!.GetValue<int>());
        Assert.Null(o3["max_tokens"]);
        Assert.Null(o3["temperature"]);
        Assert.NotNull(o3["top_p"]);
        var (gpt5, _) = Prepare("""{"model":"gpt-5-mini","temperature":0.5,"top_p":1,"logprobs":true,"messages":[]}""", ChannelType.OpenAI);
        Assert.Null(gpt5["top_p"]);
        Assert.Null(gpt5["logprobs"]);
    }

    [Fact]
    public void FieldsTheChannelDoesNotAllow_AreRemoved()
    {
        var (body, _) = Prepare("""{"model":"m","service_tier":"flex","safety_identifier":"x","store":true,"messages":[]}""", ChannelType.OpenAI);
        Assert.Null(body["service_tier"]);
        Assert.Null(body["safety_identifier"]);
        Assert.NotNull(body["store"]);   // removed only with disable_store
    }

    [Theory]
    [InlineData(ChannelType.OpenAI, "https://up.test/v1/chat/completions")]
    [InlineData(ChannelType.DeepSeek, "https://up.test/v1/chat/completions")]
    [InlineData(ChannelType.Perplexity, "https://up.test/chat/completions")]
    [InlineData(ChannelType.VolcEngine, "https://up.test/api/v3/chat/completions")]
    [InlineData(ChannelType.Ali, "https://up.test/compatible-mode/v1/chat/completions")]
    public void Urls_FollowTheVendorProfile(ChannelType type, string expected) =>
        Assert.Equal(expected, OpenAiAdapter.Instance.BuildUri(Target(type), RouteKind.ChatCompletions, "/v1/chat/completions", "m").ToString());

    [Fact]
    public void Azure_OldChannelsStripDotsFromTheDeployment()
    {
        var old = Target(ChannelType.Azure) with { Channel = new ChannelRow { Type = ChannelType.Azure, CreatedTime = 1_700_000_000 } };
        Assert.Equal("https://up.test/openai/deployments/gpt-35-turbo/chat/completions?api-version=2025-04-01-preview",
            OpenAiAdapter.Instance.BuildUri(old, RouteKind.ChatCompletions, "/v1/chat/completions", "gpt-3.5-turbo").ToString());
    }
}
