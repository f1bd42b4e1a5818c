using System.Text;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;

namespace NewApi.Tests.Unit.Relay;

public sealed class OpenAiUsageTapTests
{
    private static OpenAiUsageTap Observe(string body)
    {
        var tap = new OpenAiUsageTap(RouteKind.ChatCompletions);
        tap.ObserveBody(Encoding.UTF8.GetBytes(body));
        return tap;
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}},"choices":[{"message":{"content":"hi"}}]}""")]
    [InlineData("""{"id":"x","choices":[{"message":{"content":"hi","usage":{"prompt_tokens":99}}}],"meta":[1,{"usage":{}}],"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}""")]
    [InlineData("""{"usage":"none","usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}""")]
    public void TopLevelUsage_IsRead_WhereverItIs(string body)
    {
        var tap = Observe(body);
        Assert.Equal((7L, 3L, 2L), (tap.Usage!.Value.PromptTokens, tap.Usage.Value.CompletionTokens, tap.Usage.Value.CachedTokens));
        Assert.Equal("", tap.DeliveredText);   // not needed when the upstream reported usage
    }

    [Theory]
    [InlineData("""{"choices":[{"message":{"content":"hello","usage":{"prompt_tokens":99}}}]}""")]
    [InlineData("""{"usage":{"prompt_tokens":99},"choices":[{"message":{"content":"hello"}}],"usage":null}""")]   // the last one counts
    public void WithoutTopLevelUsage_TheDeliveredTextIsKept(string body)
    {
        var tap = Observe(body);
        Assert.Null(tap.Usage);
        Assert.Contains("hello", tap.DeliveredText);
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":7""")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public void BrokenBodies_BillOnTheEstimate(string body) => Assert.Null(Observe(body).Usage);
}
