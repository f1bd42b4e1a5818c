using NewApi.Billing;
using NewApi.Billing.Prices;

namespace NewApi.Tests.Unit.Billing;

public sealed class QuotaMathTests
{
    private static ModelPricing Ratio(double m, double c = 1, double cr = 1, double cw = 1.25, double ir = 1) => new()
    {
        Model = "m", ModelRatio = m, CompletionRatio = c, CacheRatio = cr, CreateCacheRatio = cw, ImageRatio = ir, Configured = true, ModelPrice = -1,
    };

    [Fact]
    public void PerToken_PromptPlusCompletionTimesRatios()
    {
        // gpt-4o-mini: ratio 0.075, completion 4; 1000 prompt + 500 completion, group 1 → (1000 + 2000) × 0.075 = 225
        Assert.Equal(225, QuotaMath.Final(Ratio(0.075, 4), 1, new UsageCounts { PromptTokens = 1000, CompletionTokens = 500 }, 500_000));
        Assert.Equal(450, QuotaMath.Final(Ratio(0.075, 4), 2, new UsageCounts { PromptTokens = 1000, CompletionTokens = 500 }, 500_000));
    }

    [Fact]
    public void CacheReads_AreBilledAtTheCacheRatio_OpenAiSemanticsSubtractThemFromPrompt()
    {
        var u = new UsageCounts { PromptTokens = 1000, CompletionTokens = 0, CachedTokens = 400 };
        // (600 + 400 × 0.5) × 1 = 800
        Assert.Equal(800, QuotaMath.Final(Ratio(1, cr: 0.5), 1, u, 500_000));
        // Claude semantics: prompt excludes cache: 1000 + 400 × 0.1 = 1040
        Assert.Equal(1040, QuotaMath.Final(Ratio(1, cr: 0.1), 1, u with { AnthropicSemantics = true }, 500_000));
    }

    [Fact]
    public void CacheWrites_SplitByDuration_OneHourCosts1Point6Times()
    {
        var u = new UsageCounts { PromptTokens = 100, CacheWriteTokens = 300, CacheWrite5mTokens = 100, CacheWrite1hTokens = 100, AnthropicSemantics = true };
        // 100 + (300-200) × 1.25 + 100 × 1.25 + 100 × 1.25 × 1.6 = 100 + 125 + 125 + 200 = 550
        Assert.Equal(550, QuotaMath.Final(Ratio(1), 1, u, 500_000));
    }

    [Fact]
    public void NothingReported_IsFree_ButAnyUsageCostsAtLeastOne()
    {
        Assert.Equal(0, QuotaMath.Final(Ratio(1), 1, default, 500_000));
        Assert.Equal(1, QuotaMath.Final(Ratio(0.001), 1, new UsageCounts { PromptTokens = 1 }, 500_000));
        Assert.Equal(0, QuotaMath.Final(Ratio(0), 1, new UsageCounts { PromptTokens = 100 }, 500_000));
    }

    [Fact]
    public void RoundsHalfAwayFromZero()
    {
        Assert.Equal(3, QuotaMath.Final(Ratio(0.5), 1, new UsageCounts { PromptTokens = 5 }, 500_000));   // 2.5 → 3
    }

    [Fact]
    public void PerCallPrice_IgnoresTokens()
    {
        var p = Ratio(1) with { UsePrice = true, ModelPrice = 0.04 };
        Assert.Equal(20_000, QuotaMath.Final(p, 1, new UsageCounts { PromptTokens = 1 }, 500_000));
        Assert.Equal(30_000, QuotaMath.PreConsume(p, 1.5, 10, 0, 500, 500_000));
    }

    [Fact]
    public void PreConsume_UsesAtLeastTheMinimumPlusMaxTokens()
    {
        // (max(100, 500) + 1000) × 2 × 1 = 3000
        Assert.Equal(3000, QuotaMath.PreConsume(Ratio(2), 1, 100, 1000, 500, 500_000));
        Assert.Equal(2 * (800 + 0), QuotaMath.PreConsume(Ratio(2), 1, 800, 0, 500, 500_000));
    }

    [Fact]
    public void ClaudeWebSearch_IsBilledPerCall_OnTopOfTokens()
    {
        // 1000 in + 500 out × 4 at ratio 0.075 = 225; 3 searches × $10/1K × 500 000 × group 1 = 15 000.
        var u = new UsageCounts { PromptTokens = 1000, CompletionTokens = 500, WebSearchCalls = 3, AnthropicSemantics = true };
        Assert.Equal(225 + 15_000, QuotaMath.Final(Ratio(0.075, 4), 1, u, 500_000));
        Assert.Equal(2 * (225 + 15_000), QuotaMath.Final(Ratio(0.075, 4), 2, u, 500_000));
    }
}
