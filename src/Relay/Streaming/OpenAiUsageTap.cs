using System.Text;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Relay.Adapters.OpenAi;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Usage and delivered text of OpenAI chat/completions/embeddings responses. Stream chunks are parsed with
/// <see cref="Utf8JsonReader"/>-backed documents one at a time; nothing is kept but the running text and the usage.
/// </summary>
public sealed class OpenAiUsageTap(RouteKind kind) : IUsageTap
{
    private StringBuilder? _text;   // made on the first text: most answers carry usage and never need it

    public UsageCounts? Usage { get; private set; }
    public string DeliveredText => _text?.ToString() ?? "";
    public int ToolCalls { get; private set; }
    public (string Id, long Created, string Model) Header { get; private set; } = ("", 0, "");

    public FrameKind Observe(ReadOnlySpan<byte> payload)
    {
        var trimmed = payload.Trim(" \r\n\t"u8);
        if (trimmed.SequenceEqual("[DONE]"u8)) return FrameKind.Done;
        try
        {
            var reader = new Utf8JsonReader(trimmed);
            using var doc = JsonDocument.ParseValue(ref reader);
            return ObserveChunk(doc.RootElement);
        }
        catch (JsonException)
        {
            return FrameKind.Content;   // relayed as sent; it simply carries nothing we can bill
        }
    }

    public void ObserveBody(ReadOnlySpan<byte> body)
    {
        try
        {
            // Usage is looked for and read with a reader; the whole body becomes a document only when it has none, for
            // the delivered text (then counted locally).
            if (ScanForUsage(body)) return;
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array)
                foreach (var choice in choices.EnumerateArray())
                {
                    Append(choice, "text");
                    if (choice.TryGetProperty("message"u8, out var message)) AppendMessage(message);
                }
        }
        catch (JsonException)
        {
            // An unparsable body bills on the estimate alone.
        }
    }

    /// <summary>Reads a top-level "usage" object (the last one, as a document lookup would) off a whole body.</summary>
    private bool ScanForUsage(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        UsageCounts? found = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("usage"u8))
            {
                reader.Skip();
                continue;
            }
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
                found = UsageParser.FromOpenAi(ref reader, kind);
            else
            {
                reader.Skip();
                found = null;   // a later non-object "usage" hides an earlier one, as in a document
            }
        }
        if (found is null) return false;
        Usage = found;
        return true;
    }

    private FrameKind ObserveChunk(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return FrameKind.Content;
        if (Header.Id.Length == 0 && root.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String)
            Header = (id.GetString()!, OpenAiAdapter.Int(root, "created"u8), root.TryGetProperty("model"u8, out var m) ? m.GetString() ?? "" : "");
        var hasUsage = ReadUsage(root);
        var choiceCount = 0;
        if (root.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array)
            foreach (var choice in choices.EnumerateArray())
            {
                choiceCount++;
                Append(choice, "text");
                if (choice.TryGetProperty("delta"u8, out var delta)) AppendMessage(delta);
            }
        return hasUsage && choiceCount == 0 ? FrameKind.UsageOnly : FrameKind.Content;
    }

    private bool ReadUsage(JsonElement root)
    {
        if (!root.TryGetProperty("usage"u8, out var u) || u.ValueKind != JsonValueKind.Object) return false;
        Usage = UsageParser.FromOpenAi(u, kind);
        return true;
    }

    private void AppendMessage(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object) return;
        Append(message, "content");
        Append(message, "reasoning_content");
        Append(message, "reasoning");
        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind != JsonValueKind.Array) return;
        var count = 0;
        foreach (var call in calls.EnumerateArray())
        {
            count++;
            if (!call.TryGetProperty("function"u8, out var f) || f.ValueKind != JsonValueKind.Object) continue;
            Append(f, "name");
            Append(f, "arguments");
        }
        ToolCalls = Math.Max(ToolCalls, count);
    }

    private void Append(JsonElement obj, string name)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) (_text ??= new()).Append(v.GetString());
    }
}
