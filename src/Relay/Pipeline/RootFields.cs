using System.Text.Json;

namespace NewApi.Relay.Pipeline;

/// <summary>Top-level request fields whose presence the adapters check (<see cref="RelayRequest.Present"/>).</summary>
[Flags]
public enum RootField
{
    None = 0,
    StreamOptions = 1,
    ServiceTier = 2,
    SafetyIdentifier = 4,
    Store = 8,
}

/// <summary>
/// The top-level fields a relay request is validated, routed and billed by, read in one reader pass over the body (which
/// also checks that the whole body is JSON), without building a document: most requests never need one. A name that
/// appears twice counts with its last value, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> answers;
/// escaped names are compared unescaped. Kinds are <see cref="JsonValueKind.Undefined"/> for an absent field.
/// </summary>
internal struct RootFields
{
    public JsonValueKind Model, Stream, StreamOptions, MaxTokens, GenerationConfig;
    public JsonValueKind Messages, Prefix, Suffix, Prompt, Input, Contents;
    /// <summary>The model's text when it is a string.</summary>
    public string? ModelText;
    /// <summary>stream_options.include_usage is true (the last stream_options object's last include_usage).</summary>
    public bool IncludeUsage;
    /// <summary>max_tokens, max_completion_tokens, max_output_tokens, generationConfig.maxOutputTokens: 0 unless a whole number.</summary>
    public long MaxTokensValue, MaxCompletionTokens, MaxOutputTokens, GenerationMaxOutputTokens;
    public RootField Present;

    /// <summary>
    /// Reads <paramref name="utf8"/>: false when its single value is not an object (the fields are then unread); a
    /// <see cref="JsonException"/> when it is not JSON.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out RootFields fields)
    {
        fields = default;
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read()) throw new JsonException("empty body");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            if (reader.Read()) throw new JsonException("more than one value");
            return false;
        }
        Span<byte> unescaped = stackalloc byte[Longest * 6];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = !reader.ValueIsEscaped ? reader.ValueSpan
                : reader.ValueSpan.Length <= unescaped.Length ? unescaped[..reader.CopyString(unescaped)]
                : default;   // longer than any name read here, even unescaped
            reader.Read();
            fields.Take(name, ref reader);
        }
        if (reader.Read()) throw new JsonException("more than one value");
        return true;
    }

    /// <summary>The longest name read here (max_completion_tokens); an escaped name is at most six bytes a character.</summary>
    private const int Longest = 21;

    private void Take(scoped ReadOnlySpan<byte> name, ref Utf8JsonReader r)
    {
        var kind = Kind(r.TokenType);
        switch (name.Length)
        {
            case 5 when name.SequenceEqual("model"u8):
                Model = kind;
                ModelText = kind == JsonValueKind.String ? r.GetString() : null;
                break;
            case 5 when name.SequenceEqual("input"u8): Input = kind; break;
            case 5 when name.SequenceEqual("store"u8): Present |= RootField.Store; break;
            case 6 when name.SequenceEqual("stream"u8): Stream = kind; break;
            case 6 when name.SequenceEqual("prefix"u8): Prefix = kind; break;
            case 6 when name.SequenceEqual("suffix"u8): Suffix = kind; break;
            case 6 when name.SequenceEqual("prompt"u8): Prompt = kind; break;
            case 8 when name.SequenceEqual("messages"u8): Messages = kind; break;
            case 8 when name.SequenceEqual("contents"u8): Contents = kind; break;
            case 10 when name.SequenceEqual("max_tokens"u8):
                MaxTokens = kind;
                MaxTokensValue = Long(ref r);
                break;
            case 12 when name.SequenceEqual("service_tier"u8): Present |= RootField.ServiceTier; break;
            case 14 when name.SequenceEqual("stream_options"u8):
                StreamOptions = kind;
                Present |= RootField.StreamOptions;
                IncludeUsage = false;
                if (kind != JsonValueKind.Object) break;
                IncludeUsage = Inner(ref r, "include_usage"u8).Kind == JsonValueKind.True;
                return;   // the reader is on the object's end
            case 16 when name.SequenceEqual("generationConfig"u8):
                GenerationConfig = kind;
                GenerationMaxOutputTokens = 0;
                if (kind != JsonValueKind.Object) break;
                GenerationMaxOutputTokens = Inner(ref r, "maxOutputTokens"u8).Value;
                return;
            case 17 when name.SequenceEqual("max_output_tokens"u8): MaxOutputTokens = Long(ref r); break;
            case 17 when name.SequenceEqual("safety_identifier"u8): Present |= RootField.SafetyIdentifier; break;
            case 21 when name.SequenceEqual("max_completion_tokens"u8): MaxCompletionTokens = Long(ref r); break;
        }
        r.Skip();
    }

    /// <summary>The last <paramref name="wanted"/> property of the object the reader is at (its kind, and its value when a
    /// whole number); the reader ends on the object's end.</summary>
    private static (JsonValueKind Kind, long Value) Inner(ref Utf8JsonReader r, ReadOnlySpan<byte> wanted)
    {
        (JsonValueKind, long) found = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var match = r.ValueTextEquals(wanted);
            r.Read();
            if (match) found = (Kind(r.TokenType), Long(ref r));
            r.Skip();
        }
        return found;
    }

    private static long Long(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var l) ? l : 0;

    private static JsonValueKind Kind(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };
}
