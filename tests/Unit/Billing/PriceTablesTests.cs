using System.Collections.Frozen;
using NewApi.Billing.Prices;
using NewApi.Storage.Options;

namespace NewApi.Tests.Unit.Billing;

public sealed class PriceTablesTests
{
    private static PriceTables With(params (string Key, string Value)[] options)
    {
        var values = new Dictionary<string, string>(OptionDefaults.All, StringComparer.Ordinal);
        foreach (var (k, v) in options) values[k] = v;
        return PriceTables.From(new OptionsSnapshot(values.ToFrozenDictionary(StringComparer.Ordinal), 1));
    }

    [Fact]
    public void Defaults_ApplyWhenNoTableIsStored()
    {
        var p = With().Lookup("gpt-4o-mini");
        Assert.Equal(0.075, p.ModelRatio);
        Assert.Equal(4, p.CompletionRatio);
        Assert.Equal(0.5, p.CacheRatio);
        Assert.True(p.Configured);
        Assert.False(p.UsePrice);
    }

    [Fact]
    public void StoredTable_ReplacesTheDefaultsWhole()
    {
        var t = With(("ModelRatio", """{"my-model":3}"""));
        Assert.Equal(3, t.Lookup("my-model").ModelRatio);
        Assert.False(t.Lookup("gpt-4o-mini").Configured);
    }

    [Fact]
    public void UnknownModel_IsNotConfigured_UnlessSelfUseMode()
    {
        Assert.False(With().Lookup("who-knows").Configured);
        Assert.Equal(37.5, With().Lookup("who-knows").ModelRatio);
        Assert.True(With(("SelfUseModeEnabled", "true")).Lookup("who-knows").Configured);
    }

    [Fact]
    public void LockedCompletionRule_WinsOverTheTable_UnlockedOnlyFallsBack()
    {
        var t = With(("CompletionRatio", """{"gpt-3.5-turbo":10,"gpt-4o":7}"""));
        Assert.Equal(3, t.Lookup("gpt-3.5-turbo").CompletionRatio);   // locked
        Assert.Equal(7, t.Lookup("gpt-4o").CompletionRatio);          // unlocked: table wins
        Assert.Equal(5, t.Lookup("claude-3-5-sonnet-20241022").CompletionRatio);
    }

    [Fact]
    public void GroupGroupRatio_OverridesTheGroupRatio()
    {
        var t = With(("GroupRatio", """{"default":1,"vip":2}"""), ("GroupGroupRatio", """{"default":{"vip":0.5}}"""));
        Assert.Equal(new GroupPricing(2, -1), t.Group("vip", "vip"));
        Assert.Equal(new GroupPricing(0.5, 0.5), t.Group("default", "vip"));
        Assert.Equal(1, t.Group("default", "nope").Ratio);
    }

    [Fact]
    public void ModelPrice_MakesPerCallBilling_AndGizmoNamesCollapse()
    {
        var t = With();
        Assert.True(t.Lookup("dall-e-3").UsePrice);
        Assert.Equal(0.1, t.Lookup("gpt-4-gizmo-g-abc").ModelPrice);
    }
}
