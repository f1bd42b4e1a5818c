using System.Text.Json;
using NewApi.Billing;
using NewApi.Billing.Prices;
using NewApi.Relay.Streaming;
using static NewApi.Relay.Adapters.OpenAi.OpenAiAdapter;

namespace NewApi.Relay.Media;

/// <summary>
/// Usage of a transcription or translation: token usage (<c>{"type":"tokens","input_tokens",…,"input_token_details":
/// {"audio_tokens"}}</c>, gpt-4o-transcribe), duration usage (<c>{"type":"duration","seconds"}</c>, whisper-1: billed as
/// 1000 tokens per started minute, the rule of New API's own estimate), or, in a stream, the usage of
/// <c>transcript.text.done</c>. text/srt/vtt answers carry none and bill the upload's duration estimate.
/// </summary>
public sealed class TranscriptionTap : IUsageTap
{
    public UsageCounts? Usage { get; private set; }
    public string DeliveredText => "";
    public int ToolCalls => 0;
    public (string Id, long Created, string Model) Header => ("", 0, "");

    public FrameKind Observe(ReadOnlySpan<byte> payload)
    {
        if (payload.IndexOf("\"usage\""u8) >= 0) ObserveBody(payload);
        return FrameKind.Content;
    }

    public void ObserveBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("usage"u8, out var u) || u.ValueKind != JsonValueKind.Object) return;
            if (u.TryGetProperty("seconds"u8, out var s) && s.ValueKind == JsonValueKind.Number && Int(u, "input_tokens"u8) == 0)
            {
                if (AudioQuota.DurationTokens(s.GetDouble()) is > 0 and var t) Usage = new UsageCounts { PromptTokens = t };
                return;
            }
            var input = Int(u, "input_tokens"u8) is > 0 and var i ? i : Int(u, "prompt_tokens"u8);
            var output = Int(u, "output_tokens"u8) is > 0 and var o ? o : Int(u, "completion_tokens"u8);
            if (input + output == 0) return;
            var details = u.TryGetProperty("input_token_details"u8, out var d) ? d : u.TryGetProperty("input_tokens_details"u8, out d) ? d : default;
            Usage = new UsageCounts { PromptTokens = input, CompletionTokens = output, AudioInputTokens = Int(details, "audio_tokens"u8) };
        }
        catch (JsonException)
        {
            // bills on the estimate
        }
    }
}
