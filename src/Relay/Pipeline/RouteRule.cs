using System.Text.Json;
using NewApi.Billing;
using NewApi.Billing.Prices;
using NewApi.Relay.Streaming;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// What a route adds to the generic relay: its usage tap, its prompt estimate, and its billing where the text formula
/// does not fit (images per picture, audio by duration and audio tokens). One instance per request, made by
/// <see cref="RouteRules"/>; every hook's default is "do what a chat request does".
/// </summary>
public abstract class RouteRule
{
    /// <summary>The usage tap of one attempt; null = the adapter's own.</summary>
    public virtual IUsageTap? CreateTap(RelayRequest request) => null;

    /// <summary>The local prompt estimate; null = the generic estimator.</summary>
    public virtual int? EstimatePrompt(RelayContext rc) => null;

    /// <summary>The amount to reserve; null = New API's token formula.</summary>
    public virtual long? PreConsume(RelayContext rc, PriceTables tables) => null;

    /// <summary>The usage to bill, after the generic fallbacks; may clear <paramref name="estimated"/> when usage does not matter.</summary>
    public virtual UsageCounts Adjust(RelayContext rc, UsageCounts usage, ref bool estimated) => usage;

    /// <summary>The final quota; null = the text formula.</summary>
    public virtual long? FinalQuota(RelayContext rc, in UsageCounts usage, PriceTables tables) => null;

    /// <summary>The route's note in the consume log's content (New API joins notes with ", ").</summary>
    public virtual string LogContent => "";

    /// <summary>Extra keys of the consume log's <c>other</c> object.</summary>
    public virtual void WriteLogOther(Utf8JsonWriter w, RelayContext rc, in UsageCounts usage) { }

    /// <summary>Called once the request is settled on the channel that served it.</summary>
    public virtual void Settled(RelayContext rc, ServedBy served) { }

    /// <summary>The audio keys New API logs for audio-priced requests (relay.md §3.7).</summary>
    protected static void WriteAudio(Utf8JsonWriter w, in ModelPricing p, in UsageCounts u)
    {
        w.WriteBoolean("audio", true);
        w.WriteNumber("audio_input", u.AudioInputTokens);
        w.WriteNumber("audio_output", u.AudioOutputTokens);
        w.WriteNumber("text_input", Math.Max(0, u.PromptTokens - u.AudioInputTokens));
        w.WriteNumber("text_output", Math.Max(0, u.CompletionTokens - u.AudioOutputTokens));
        w.WriteNumber("audio_ratio", p.AudioRatio);
        w.WriteNumber("audio_completion_ratio", p.AudioCompletionRatio);
    }
}
