using NewApi.Billing.Tokens;

namespace NewApi.Tests.Unit.Billing;

public sealed class TokenCounterTests
{
    private static readonly TokenCounter Counter = new();

    [Fact]
    public void NeedsLoad_IsTrueOnlyUntilTheModelsVocabularyIsLoaded()
    {
        var fresh = new TokenCounter();
        Assert.True(fresh.NeedsLoad("gpt-4o"));
        Assert.True(fresh.NeedsLoad("gpt-3.5-turbo"));
        Assert.False(fresh.NeedsLoad("claude-sonnet-4"));   // the heuristic has nothing to load
        fresh.Count("gpt-4o", "hi");
        Assert.False(fresh.NeedsLoad("gpt-4o"));
        Assert.False(fresh.NeedsLoad("o3-mini"));            // same vocabulary
        Assert.True(fresh.NeedsLoad("gpt-3.5-turbo"));      // cl100k is still unloaded
    }

    [Fact]
    public void OpenAiModels_UseTheRealVocabulary()
    {
        Assert.Equal(2, Counter.Count("gpt-4o-mini", "Hello world"));
        Assert.Equal(2, Counter.Count("gpt-3.5-turbo", "Hello world"));
        Assert.Equal(0, Counter.Count("gpt-4o", ""));
    }

    [Fact]
    public void OtherModels_UseTheHeuristic()
    {
        // two words (1.13 each) + one space (0.39) for Claude = 2.65 → 3
        Assert.Equal(3, Counter.Count("claude-3-haiku", "Hello world"));
        Assert.Equal(HeuristicEstimator.Estimate(HeuristicEstimator.Family.Gemini, "你好"), Counter.Count("gemini-2.0-flash", "你好"));
        Assert.Equal(2, HeuristicEstimator.Estimate(HeuristicEstimator.Family.Gemini, "你好"));   // 2 × 0.68 → 2
    }
}
