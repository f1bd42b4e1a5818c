namespace NewApi.Billing.Prices;

/// <summary>
/// Audio billing (relay.md §3.7, §3.8): the audio-token formula New API applies whenever a response reports audio
/// tokens (speech, transcriptions with token usage, realtime sessions), and the duration-to-token rule of its local
/// audio estimates (1000 tokens per started minute).
/// </summary>
public static class AudioQuota
{
    /// <summary>
    /// (text in + text out × c + audio in × ar + audio out × ar × acr) × m × g, at least 1 when m × g ≠ 0, rounded.
    /// A model missing from the audio tables takes ar = acr = 1, as New API does. Per-call models: price × qpu × g,
    /// truncated (New API truncates here, unlike the text formula).
    /// </summary>
    public static long Final(in ModelPricing p, double groupRatio, in UsageCounts u, double quotaPerUnit)
    {
        if (u.Total == 0) return 0;
        var g = (decimal)groupRatio;
        if (p.UsePrice) return (long)((decimal)p.ModelPrice * (decimal)quotaPerUnit * g);
        var textIn = Math.Max(0, u.PromptTokens - u.AudioInputTokens);
        var textOut = Math.Max(0, u.CompletionTokens - u.AudioOutputTokens);
        var ar = (decimal)p.AudioRatio;
        var tokens = textIn + textOut * (decimal)p.CompletionRatio + u.AudioInputTokens * ar + u.AudioOutputTokens * ar * (decimal)p.AudioCompletionRatio;
        var mg = (decimal)p.ModelRatio * g;
        var quota = tokens * mg;
        if (mg != 0 && quota <= 0) return 1;
        var rounded = QuotaMath.Round(quota);
        return rounded == 0 && mg != 0 ? 1 : rounded;
    }

    /// <summary>The final quota of a request whose usage may carry audio tokens: the audio formula when it does, the text one otherwise.</summary>
    public static long FinalAny(in ModelPricing p, double groupRatio, in UsageCounts u, double quotaPerUnit) =>
        u.AudioInputTokens + u.AudioOutputTokens > 0 ? Final(p, groupRatio, u, quotaPerUnit) : QuotaMath.Final(p, groupRatio, u, quotaPerUnit);

    /// <summary>New API's audio estimate: round(ceil(seconds) / 60 × 1000).</summary>
    public static long DurationTokens(double seconds) =>
        seconds <= 0 ? 0 : (long)Math.Round(Math.Ceiling(seconds) / 60.0 * 1000, MidpointRounding.AwayFromZero);
}
