using System.Text.Json;
using NewApi.Billing;
using NewApi.Relay.Streaming;
using static NewApi.Relay.Adapters.OpenAi.OpenAiAdapter;

namespace NewApi.Relay.Media;

/// <summary>
/// Usage of a speech answer: the audio's duration measured as it streams (completion = audio output tokens; the prompt
/// comes from the local input estimate), or, for <c>stream_format: "sse"</c>, the usage of the final
/// <c>speech.audio.done</c> event.
/// </summary>
public sealed class SpeechTap(string format) : IUsageTap, IByteTap
{
    private readonly SpeechMeter _meter = new(format);
    private UsageCounts? _sseUsage;

    public UsageCounts? Usage
    {
        get
        {
            if (_sseUsage is { } u) return u;
            var tokens = _meter.Tokens;
            return tokens > 0 ? new UsageCounts { CompletionTokens = tokens, AudioOutputTokens = tokens } : null;
        }
    }

    public string DeliveredText => "";
    public int ToolCalls => 0;
    public (string Id, long Created, string Model) Header => ("", 0, "");

    public void ObserveBytes(ReadOnlySpan<byte> chunk) => _meter.Feed(chunk);

    public FrameKind Observe(ReadOnlySpan<byte> payload)
    {
        if (payload.IndexOf("\"usage\""u8) < 0) return FrameKind.Content;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("usage"u8, out var u) && Int(u, "total_tokens"u8) > 0)
                _sseUsage = new UsageCounts { PromptTokens = Int(u, "input_tokens"u8), CompletionTokens = Int(u, "output_tokens"u8) };
        }
        catch (JsonException)
        {
            // relayed as sent
        }
        return FrameKind.Content;
    }

    public void ObserveBody(ReadOnlySpan<byte> body) { }
}
