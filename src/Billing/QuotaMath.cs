using NewApi.Billing.Prices;

namespace NewApi.Billing;

/// <summary>Token counts one request used, as the quota formula reads them (relay.md §3.6).</summary>
public readonly record struct UsageCounts
{
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    /// <summary>Cache-read prompt tokens (prompt_tokens_details.cached_tokens / cache_read_input_tokens).</summary>
    public long CachedTokens { get; init; }
    /// <summary>Cache-write prompt tokens (total); for Claude also split into 5-minute and 1-hour writes.</summary>
    public long CacheWriteTokens { get; init; }
    public long CacheWrite5mTokens { get; init; }
    public long CacheWrite1hTokens { get; init; }
    public long ImageTokens { get; init; }
    public long AudioInputTokens { get; init; }
    public long AudioOutputTokens { get; init; }
    public long ReasoningTokens { get; init; }
    /// <summary>Claude semantics: <see cref="PromptTokens"/> excludes cache tokens (OpenAI's includes them).</summary>
    public bool AnthropicSemantics { get; init; }
    /// <summary>Server-side web searches the upstream ran (Claude <c>server_tool_use.web_search_requests</c>), billed per call.</summary>
    public long WebSearchCalls { get; init; }

    public long Total => PromptTokens + CompletionTokens;
}

/// <summary>New API's quota arithmetic: decimal maths, rounded half away from zero.</summary>
public static class QuotaMath
{
    /// <summary>Claude's server web search: $10 per 1 000 calls (relay.md §3.6 tool surcharges), in quota units per call.</summary>
    private const decimal WebSearchPerCall = 10m / 1000m;

    /// <summary>1-hour cache writes cost 1.6 times the cache-creation ratio (6 / 3.75, fixed).</summary>
    private const decimal OneHourWriteFactor = 1.6m;

    /// <summary>Pre-consumption (§3.4): per call price × group, or (max(estimate, minimum) + max tokens) × ratio × group, truncated.</summary>
    public static long PreConsume(in ModelPricing p, double groupRatio, long promptEstimate, long maxTokens, long minimumTokens, double quotaPerUnit)
    {
        if (p.UsePrice) return (long)((decimal)p.ModelPrice * (decimal)quotaPerUnit * (decimal)groupRatio);
        var tokens = Math.Max(promptEstimate, minimumTokens) + Math.Max(0, maxTokens);
        return (long)(tokens * (decimal)p.ModelRatio * (decimal)groupRatio);
    }

    /// <summary>The final quota of a text-like request (§3.6, §3.7 when audio tokens are present).</summary>
    public static long Final(in ModelPricing p, double groupRatio, in UsageCounts u, double quotaPerUnit)
    {
        if (u.Total == 0) return 0;   // new-api: the upstream reported nothing, nothing is charged
        var g = (decimal)groupRatio;
        var tools = u.WebSearchCalls * WebSearchPerCall * (decimal)quotaPerUnit * g;
        if (p.UsePrice) return Round((decimal)p.ModelPrice * (decimal)quotaPerUnit * g + tools);
        var m = (decimal)p.ModelRatio;
        var quota = p.HasAudioRatio && u.AudioInputTokens + u.AudioOutputTokens > 0 ? AudioQuota(p, u) * m * g : TextQuota(p, u) * m * g;
        if (m * g != 0 && quota <= 0) quota = 1;
        var rounded = Round(quota + tools);
        return rounded == 0 && m * g != 0 ? 1 : rounded;
    }

    private static decimal TextQuota(in ModelPricing p, in UsageCounts u)
    {
        decimal basePrompt = u.PromptTokens;
        decimal extra = 0;
        if (u.CachedTokens > 0)
        {
            if (!u.AnthropicSemantics) basePrompt -= u.CachedTokens;
            extra += u.CachedTokens * (decimal)p.CacheRatio;
        }
        var split = u.CacheWrite5mTokens + u.CacheWrite1hTokens;
        if (u.CacheWriteTokens > 0 || split > 0)
        {
            var cw = (decimal)p.CreateCacheRatio;
            if (u.AnthropicSemantics)
                extra += Math.Max(u.CacheWriteTokens - split, 0) * cw + u.CacheWrite5mTokens * cw + u.CacheWrite1hTokens * cw * OneHourWriteFactor;
            else
            {
                basePrompt -= u.CacheWriteTokens;
                extra += u.CacheWriteTokens * cw;
            }
        }
        if (u.ImageTokens > 0)
        {
            basePrompt -= u.ImageTokens;
            extra += u.ImageTokens * (decimal)p.ImageRatio;
        }
        return basePrompt + extra + u.CompletionTokens * (decimal)p.CompletionRatio;
    }

    /// <summary>§3.7: text in + text out × c + audio in × ar + audio out × ar × acr.</summary>
    private static decimal AudioQuota(in ModelPricing p, in UsageCounts u)
    {
        var textIn = Math.Max(0, u.PromptTokens - u.AudioInputTokens);
        var textOut = Math.Max(0, u.CompletionTokens - u.AudioOutputTokens);
        var ar = (decimal)p.AudioRatio;
        return textIn + textOut * (decimal)p.CompletionRatio + u.AudioInputTokens * ar + u.AudioOutputTokens * ar * (decimal)p.AudioCompletionRatio;
    }

    public static long Round(decimal value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);
}
