using System.Text.Json;
using NewApi.Billing;
using NewApi.Billing.Prices;
using NewApi.Billing.Tokens;
using NewApi.Relay.Media;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;

namespace NewApi.Relay.Routes;

/// <summary>
/// Text to speech (relay.md §3.7): the prompt is the input's characters (its tokens for gpt-* models), the completion
/// the audio's duration measured while it streams; billed with the audio formula, where tts-1's audio completion ratio
/// of 0 leaves only the input to pay.
/// </summary>
internal sealed class SpeechRule(TokenCounter counter, string format) : RouteRule
{
    public override IUsageTap CreateTap(RelayRequest request) => new SpeechTap(format);

    public override int? EstimatePrompt(RelayContext rc)
    {
        var input = RouteValidation.Str(rc.Request.Root, "input");
        var model = rc.Request.Model;
        return model.Contains("gpt", StringComparison.OrdinalIgnoreCase) ? counter.Count(model, input) : input.EnumerateRunes().Count();
    }

    public override long? FinalQuota(RelayContext rc, in UsageCounts usage, PriceTables tables) =>
        AudioQuota.FinalAny(rc.Pricing, rc.GroupPricing.Ratio, usage, tables.QuotaPerUnit);

    public override void WriteLogOther(Utf8JsonWriter w, RelayContext rc, in UsageCounts usage)
    {
        if (usage.AudioInputTokens + usage.AudioOutputTokens > 0) WriteAudio(w, rc.Pricing, usage);
    }
}

/// <summary>
/// Transcription and translation (relay.md §3.3, §3.7): the estimate is the uploaded file's duration, 1000 tokens per
/// started minute (a file this cannot measure counts as 128 kbit/s audio); the upstream's usage wins when it sends one,
/// with the audio formula when that usage has audio tokens.
/// </summary>
internal sealed class TranscriptionRule : RouteRule
{
    /// <summary>Bytes per second assumed for an upload whose duration cannot be read (128 kbit/s).</summary>
    private const double FallbackBytesPerSecond = 16_000;

    public override IUsageTap CreateTap(RelayRequest request) => new TranscriptionTap();

    public override int? EstimatePrompt(RelayContext rc)
    {
        if (rc.Request.Form?.FirstFile("file") is not { } file) return 0;
        using var stream = rc.Request.Form.OpenFile(file);
        var seconds = AudioDuration.Seconds(stream, file.FileName) ?? file.Length / FallbackBytesPerSecond;
        return (int)Math.Min(int.MaxValue, AudioQuota.DurationTokens(seconds));
    }

    public override long? FinalQuota(RelayContext rc, in UsageCounts usage, PriceTables tables) =>
        AudioQuota.FinalAny(rc.Pricing, rc.GroupPricing.Ratio, usage, tables.QuotaPerUnit);

    public override void WriteLogOther(Utf8JsonWriter w, RelayContext rc, in UsageCounts usage)
    {
        if (usage.AudioInputTokens + usage.AudioOutputTokens > 0) WriteAudio(w, rc.Pricing, usage);
    }
}
