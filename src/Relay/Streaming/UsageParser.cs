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
        var prompt = Int(u, "prompt_tokens");
        var completion = Int(u, "completion_tokens");
        if (prompt == 0 && completion == 0)
        {
            prompt = Int(u, "input_tokens");     // Responses-style usage
            completion = Int(u, "output_tokens");
        }
        if (kind == RouteKind.Embeddings && prompt == 0) prompt = Int(u, "total_tokens");
        var details = Obj(u, "prompt_tokens_details");
        if (details.ValueKind != JsonValueKind.Object) details = Obj(u, "input_tokens_details");
        var cached = Int(details, "cached_tokens");
        if (cached == 0) cached = Int(u, "prompt_cache_hit_tokens");   // DeepSeek
        if (cached == 0) cached = Int(u, "cached_tokens");
        var completionDetails = Obj(u, "completion_tokens_details");
        return new UsageCounts
        {
            PromptTokens = prompt,
            CompletionTokens = completion,
            CachedTokens = cached,
            CacheWriteTokens = Int(details, "cached_creation_tokens"),
            ImageTokens = Int(details, "image_tokens"),
            AudioInputTokens = Int(details, "audio_tokens"),
            AudioOutputTokens = Int(completionDetails, "audio_tokens"),
            ReasoningTokens = Int(completionDetails, "reasoning_tokens"),
        };
    }

    private static JsonElement Obj(JsonElement u, string name) =>
        u.ValueKind == JsonValueKind.Object && u.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
}
