using System.Text.Json;
using NewApi.Billing;
using NewApi.Relay.Pipeline;
using static NewApi.Relay.Adapters.OpenAi.OpenAiAdapter;

namespace NewApi.Relay.Streaming;

/// <summary>OpenAI-style usage objects and their vendor variants (relay.md §3.10) as <see cref="UsageCounts"/>.</summary>
public static class UsageParser
{
    public static UsageCounts FromOpenAi(JsonElement u, RouteKind kind)
    {
        var prompt = Int(u, "prompt_tokens"u8);
        var completion = Int(u, "completion_tokens"u8);
        if (prompt == 0 && completion == 0)
        {
            prompt = Int(u, "input_tokens"u8);     // Responses-style usage
            completion = Int(u, "output_tokens"u8);
        }
        if (kind == RouteKind.Embeddings && prompt == 0) prompt = Int(u, "total_tokens"u8);
        var details = Obj(u, "prompt_tokens_details"u8);
        if (details.ValueKind != JsonValueKind.Object) details = Obj(u, "input_tokens_details"u8);
        var cached = Int(details, "cached_tokens"u8);
        if (cached == 0) cached = Int(u, "prompt_cache_hit_tokens"u8);   // DeepSeek
        if (cached == 0) cached = Int(u, "cached_tokens"u8);
        var completionDetails = Obj(u, "completion_tokens_details"u8);
        return new UsageCounts
        {
            PromptTokens = prompt,
            CompletionTokens = completion,
            CachedTokens = cached,
            CacheWriteTokens = Int(details, "cached_creation_tokens"u8),
            ImageTokens = Int(details, "image_tokens"u8),
            AudioInputTokens = Int(details, "audio_tokens"u8),
            AudioOutputTokens = Int(completionDetails, "audio_tokens"u8),
            ReasoningTokens = Int(completionDetails, "reasoning_tokens"u8),
        };
    }

    private static JsonElement Obj(JsonElement u, ReadOnlySpan<byte> name) =>
        u.ValueKind == JsonValueKind.Object && u.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
}
