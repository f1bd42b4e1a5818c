using System.Text.Json;
using NewApi.Billing;
using static NewApi.Relay.Adapters.OpenAi.OpenAiAdapter;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Usage of a rerank answer: Jina's <c>usage.prompt_tokens</c>/<c>usage.total_tokens</c>, or Cohere's
/// <c>meta.tokens.input_tokens</c> / <c>meta.billed_units.input_tokens</c>. Reranking has no completion; without any of
/// these the request bills its prompt estimate (query and documents).
/// </summary>
public sealed class RerankUsageTap : IUsageTap
{
    public UsageCounts? Usage { get; private set; }
    public string DeliveredText => "";
    public int ToolCalls => 0;
    public (string Id, long Created, string Model) Header => ("", 0, "");

    public FrameKind Observe(ReadOnlySpan<byte> payload) => FrameKind.Content;

    public void ObserveBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            var tokens = 0L;
            if (root.TryGetProperty("usage"u8, out var u) && u.ValueKind == JsonValueKind.Object)
                tokens = Int(u, "prompt_tokens"u8) is > 0 and var p ? p : Int(u, "total_tokens"u8);
            if (tokens == 0 && root.TryGetProperty("meta"u8, out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                if (meta.TryGetProperty("tokens"u8, out var t)) tokens = Int(t, "input_tokens"u8);
                if (tokens == 0 && meta.TryGetProperty("billed_units"u8, out var b)) tokens = Int(b, "input_tokens"u8);
            }
            if (tokens > 0) Usage = new UsageCounts { PromptTokens = tokens };
        }
        catch (JsonException)
        {
            // bills on the estimate
        }
    }
}
