using System.Text;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Relay.Pipeline;
using static NewApi.Relay.Adapters.OpenAi.OpenAiAdapter;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Usage, delivered text and response id of the Responses API (relay.md §5.1): a non-stream body's <c>usage</c> and
/// output text; in a stream, <c>response.completed</c> (or incomplete/failed) carries the usage and
/// <c>response.output_text.delta</c> the text kept for the no-usage fallback. Only events that can matter are parsed:
/// a cheap byte search skips the rest.
/// </summary>
public sealed class ResponsesUsageTap : IUsageTap
{
    private readonly StringBuilder _text = new();

    public UsageCounts? Usage { get; private set; }
    public string DeliveredText => _text.ToString();
    public int ToolCalls => 0;
    public (string Id, long Created, string Model) Header => (ResponseId, 0, "");
    /// <summary>The upstream's response id (resp_…), for GET/DELETE /v1/responses/{id}.</summary>
    public string ResponseId { get; private set; } = "";

    public FrameKind Observe(ReadOnlySpan<byte> payload)
    {
        var delta = payload.IndexOf("\"response.output_text.delta\""u8) >= 0;
        var usage = payload.IndexOf("\"usage\""u8) >= 0;
        var created = ResponseId.Length == 0 && payload.IndexOf("\"response.created\""u8) >= 0;
        if (!delta && !usage && !created) return FrameKind.Content;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return FrameKind.Content;
            if (delta && root.TryGetProperty("delta"u8, out var d) && d.ValueKind == JsonValueKind.String) _text.Append(d.GetString());
            if (root.TryGetProperty("response"u8, out var response) && response.ValueKind == JsonValueKind.Object) ReadResponse(response, withText: false);
        }
        catch (JsonException)
        {
            // relayed as sent; it carries nothing billable
        }
        return FrameKind.Content;
    }

    public void ObserveBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) ReadResponse(doc.RootElement, withText: true);
        }
        catch (JsonException)
        {
            // an unparsable body bills on the estimate alone
        }
    }

    private void ReadResponse(JsonElement response, bool withText)
    {
        if (ResponseId.Length == 0 && response.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String) ResponseId = id.GetString()!;
        if (response.TryGetProperty("usage"u8, out var u) && u.ValueKind == JsonValueKind.Object)
        {
            var details = u.TryGetProperty("output_tokens_details"u8, out var od) ? od : default;
            Usage = UsageParser.FromOpenAi(u, RouteKind.Responses) with { ReasoningTokens = Int(details, "reasoning_tokens"u8) };
        }
        if (!withText || !response.TryGetProperty("output"u8, out var output) || output.ValueKind != JsonValueKind.Array) return;
        foreach (var item in output.EnumerateArray())
        {
            if (!item.TryGetProperty("content"u8, out var content) || content.ValueKind != JsonValueKind.Array) continue;
            foreach (var part in content.EnumerateArray())
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String)
                    _text.Append(t.GetString());
        }
    }
}
