using System.Text;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Billing.Tokens;
using static NewApi.Relay.Adapters.OpenAi.OpenAiAdapter;

namespace NewApi.Relay.Realtime;

/// <summary>
/// Reads a realtime session's events for billing (relay.md §3.8): <c>response.done</c> usage is what is billed; between
/// two of them, text and audio crossing the socket are counted locally (input text items, appended input audio,
/// output text and transcript deltas, output audio deltas) and billed instead when a <c>response.done</c> carries no
/// usage, or when the session ends mid-response. Only the event type is read from ordinary frames (no allocation);
/// whole documents are parsed only for the few events that matter.
/// </summary>
public sealed class RealtimeMeter(TokenCounter counter, string model)
{
    /// <summary>New API's local audio rates: input seconds / 60 × 100 / 0.06, output seconds / 60 × 200 / 0.24.</summary>
    private const double InputAudioTokensPerSecond = 100 / 0.06 / 60, OutputAudioTokensPerSecond = 200 / 0.24 / 60;

    private readonly StringBuilder _inputText = new();
    private readonly StringBuilder _outputText = new();
    private long _inputAudioBytes, _outputAudioBytes;
    private int _inputBytesPerSecond = 48_000, _outputBytesPerSecond = 48_000;

    /// <summary>A client event, before it is forwarded.</summary>
    public void FromClient(ReadOnlySpan<byte> json)
    {
        var type = EventType(json);
        if (type.SequenceEqual("input_audio_buffer.append"u8)) _inputAudioBytes += Base64Bytes(json, "audio"u8);
        else if (type.SequenceEqual("conversation.item.create"u8) || type.SequenceEqual("session.update"u8)) CollectText(json, _inputText);
    }

    /// <summary>An upstream event; returns the usage to charge when it completes a response.</summary>
    public UsageCounts? FromUpstream(ReadOnlySpan<byte> json, out bool estimated)
    {
        estimated = false;
        var type = EventType(json);
        if (type.SequenceEqual("response.done"u8)) return Done(json, out estimated);
        if (type.SequenceEqual("response.audio.delta"u8) || type.SequenceEqual("response.output_audio.delta"u8)) _outputAudioBytes += Base64Bytes(json, "delta"u8);
        else if (type.EndsWith(".delta"u8) && (type.StartsWith("response.text"u8) || type.StartsWith("response.output_text"u8)
                     || type.StartsWith("response.audio_transcript"u8) || type.StartsWith("response.output_audio_transcript"u8)))
            AppendString(json, "delta"u8, _outputText);
        else if (type.SequenceEqual("session.created"u8) || type.SequenceEqual("session.updated"u8)) AudioFormats(json);
        return null;
    }

    /// <summary>What was counted since the last response.done (billed when the session ends mid-response); null when nothing.</summary>
    public UsageCounts? Pending()
    {
        var u = Local();
        Reset();
        return u.Total > 0 ? u : null;
    }

    private UsageCounts? Done(ReadOnlySpan<byte> json, out bool estimated)
    {
        estimated = false;
        using var doc = Parse(json);
        if (doc?.RootElement is { } root && root.TryGetProperty("response"u8, out var r) && r.ValueKind == JsonValueKind.Object && r.TryGetProperty("usage"u8, out var u)
            && u.ValueKind == JsonValueKind.Object && Int(u, "total_tokens"u8) + Int(u, "input_tokens"u8) + Int(u, "output_tokens"u8) > 0)
        {
            Reset();
            var input = u.TryGetProperty("input_token_details"u8, out var i) ? i : default;
            var output = u.TryGetProperty("output_token_details"u8, out var o) ? o : default;
            return new UsageCounts
            {
                PromptTokens = Int(u, "input_tokens"u8), CompletionTokens = Int(u, "output_tokens"u8), CachedTokens = Int(input, "cached_tokens"u8),
                AudioInputTokens = Int(input, "audio_tokens"u8), AudioOutputTokens = Int(output, "audio_tokens"u8),
            };
        }
        estimated = true;
        return Pending() ?? new UsageCounts();
    }

    private UsageCounts Local()
    {
        var audioIn = (long)Math.Round(_inputAudioBytes / (double)_inputBytesPerSecond * InputAudioTokensPerSecond);
        var audioOut = (long)Math.Round(_outputAudioBytes / (double)_outputBytesPerSecond * OutputAudioTokensPerSecond);
        var textIn = counter.Count(model, _inputText.ToString());
        var textOut = counter.Count(model, _outputText.ToString());
        return new UsageCounts { PromptTokens = textIn + audioIn, CompletionTokens = textOut + audioOut, AudioInputTokens = audioIn, AudioOutputTokens = audioOut };
    }

    private void Reset()
    {
        _inputText.Clear();
        _outputText.Clear();
        _inputAudioBytes = _outputAudioBytes = 0;
    }

    /// <summary>pcm16 at 24 kHz is 48 000 bytes a second; G.711 is 8 000.</summary>
    private void AudioFormats(ReadOnlySpan<byte> json)
    {
        using var doc = Parse(json);
        if (doc is null || !doc.RootElement.TryGetProperty("session"u8, out var s) || s.ValueKind != JsonValueKind.Object) return;
        if (s.TryGetProperty("input_audio_format"u8, out var i) && i.ValueKind == JsonValueKind.String) _inputBytesPerSecond = Rate(i.GetString()!);
        if (s.TryGetProperty("output_audio_format"u8, out var o) && o.ValueKind == JsonValueKind.String) _outputBytesPerSecond = Rate(o.GetString()!);
    }

    /// <summary>A whole event, or null when it is not JSON (it is still relayed; it just bills nothing).</summary>
    private static JsonDocument? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int Rate(string format) => format.StartsWith("g711", StringComparison.Ordinal) ? 8_000 : 48_000;

    /// <summary>The top-level <c>type</c> of an event (empty when absent); reads tokens only, allocates nothing.</summary>
    public static ReadOnlySpan<byte> EventType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.CurrentDepth == 1 && reader.ValueTextEquals("type"u8);
                if (!reader.Read()) return default;
                if (isType && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped) return json.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // not JSON: not billable
        }
        return default;
    }

    /// <summary>Decoded size of a top-level base64 string property, from its length (never decoded).</summary>
    private static long Base64Bytes(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var value = TopLevelString(json, name);
        return value.Length / 4 * 3;
    }

    private static void AppendString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, StringBuilder into)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read()) return;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.CurrentDepth == 1 && reader.ValueTextEquals(name);
                if (!reader.Read()) return;
                if (match && reader.TokenType == JsonTokenType.String)
                {
                    into.Append(reader.GetString());
                    return;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // nothing to count
        }
    }

    private static ReadOnlySpan<byte> TopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read()) return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.CurrentDepth == 1 && reader.ValueTextEquals(name);
                if (!reader.Read()) return default;
                if (match && reader.TokenType == JsonTokenType.String) return reader.ValueSpan;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // nothing to count
        }
        return default;
    }

    /// <summary>Every "text", "transcript" and "instructions" string of an item or session event.</summary>
    private static void CollectText(ReadOnlySpan<byte> json, StringBuilder into)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName) continue;
                var wanted = reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("transcript"u8) || reader.ValueTextEquals("instructions"u8);
                if (!reader.Read()) return;
                if (wanted && reader.TokenType == JsonTokenType.String) into.Append(reader.GetString()).Append('\n');
            }
        }
        catch (JsonException)
        {
            // nothing to count
        }
    }
}
