using System.Runtime.InteropServices;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Streaming;

/// <summary>
/// OpenAI-style usage objects and their vendor variants (relay.md §3.10) as <see cref="UsageCounts"/>. The object is
/// read in one forward pass of a <see cref="Utf8JsonReader"/>; a duplicated name counts with its last value, and a field
/// that is not an integer counts as 0, as a document lookup would give them.
/// </summary>
public static class UsageParser
{
    public static UsageCounts FromOpenAi(JsonElement u, RouteKind kind) =>
        u.ValueKind == JsonValueKind.Object ? FromOpenAi(JsonMarshal.GetRawUtf8Value(u), kind) : Resolve(default, kind);

    /// <summary>A whole usage object's JSON text.</summary>
    public static UsageCounts FromOpenAi(ReadOnlySpan<byte> json, RouteKind kind)
    {
        var reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject ? FromOpenAi(ref reader, kind) : Resolve(default, kind);
    }

    /// <summary>Reads the object the reader is on (at its StartObject) and leaves the reader on its EndObject.</summary>
    public static UsageCounts FromOpenAi(ref Utf8JsonReader reader, RouteKind kind)
    {
        var f = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8)) f.Prompt = Int(ref reader);
            else if (reader.ValueTextEquals("completion_tokens"u8)) f.Completion = Int(ref reader);
            else if (reader.ValueTextEquals("total_tokens"u8)) f.Total = Int(ref reader);
            else if (reader.ValueTextEquals("input_tokens"u8)) f.Input = Int(ref reader);
            else if (reader.ValueTextEquals("output_tokens"u8)) f.Output = Int(ref reader);
            else if (reader.ValueTextEquals("prompt_cache_hit_tokens"u8)) f.CacheHit = Int(ref reader);
            else if (reader.ValueTextEquals("cached_tokens"u8)) f.Cached = Int(ref reader);
            else if (reader.ValueTextEquals("prompt_tokens_details"u8)) f.PromptDetails = Details(ref reader);
            else if (reader.ValueTextEquals("input_tokens_details"u8)) f.InputDetails = Details(ref reader);
            else if (reader.ValueTextEquals("completion_tokens_details"u8)) f.CompletionDetails = Details(ref reader);
            else { reader.Read(); reader.Skip(); }
        }
        return Resolve(f, kind);
    }

    private static UsageCounts Resolve(in Fields f, RouteKind kind)
    {
        var prompt = f.Prompt;
        var completion = f.Completion;
        if (prompt == 0 && completion == 0)
        {
            prompt = f.Input;     // Responses-style usage
            completion = f.Output;
        }
        if (kind == RouteKind.Embeddings && prompt == 0) prompt = f.Total;
        var details = f.PromptDetails.IsObject ? f.PromptDetails : f.InputDetails;
        var cached = details.Cached;
        if (cached == 0) cached = f.CacheHit;   // DeepSeek
        if (cached == 0) cached = f.Cached;
        return new UsageCounts
        {
            PromptTokens = prompt,
            CompletionTokens = completion,
            CachedTokens = cached,
            CacheWriteTokens = details.CacheCreation,
            ImageTokens = details.Image,
            AudioInputTokens = details.Audio,
            AudioOutputTokens = f.CompletionDetails.Audio,
            ReasoningTokens = f.CompletionDetails.Reasoning,
        };
    }

    /// <summary>The value after a property name: an integer, else 0 (the value is skipped whatever it is).</summary>
    private static long Int(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number) return reader.TryGetInt64(out var l) ? l : 0;
        reader.Skip();
        return 0;
    }

    private static DetailFields Details(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }
        var d = new DetailFields { IsObject = true };
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("cached_tokens"u8)) d.Cached = Int(ref reader);
            else if (reader.ValueTextEquals("cached_creation_tokens"u8)) d.CacheCreation = Int(ref reader);
            else if (reader.ValueTextEquals("image_tokens"u8)) d.Image = Int(ref reader);
            else if (reader.ValueTextEquals("audio_tokens"u8)) d.Audio = Int(ref reader);
            else if (reader.ValueTextEquals("reasoning_tokens"u8)) d.Reasoning = Int(ref reader);
            else { reader.Read(); reader.Skip(); }
        }
        return d;
    }

    private struct Fields
    {
        public long Prompt, Completion, Total, Input, Output, CacheHit, Cached;
        public DetailFields PromptDetails, InputDetails, CompletionDetails;
    }

    private struct DetailFields
    {
        public bool IsObject;
        public long Cached, CacheCreation, Image, Audio, Reasoning;
    }
}
