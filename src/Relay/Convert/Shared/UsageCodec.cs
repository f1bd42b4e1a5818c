using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert.Shared;

/// <summary>Reads each dialect's usage object into <see cref="TokenUsage"/> and writes it back in any dialect.</summary>
internal static class UsageCodec
{
    public static TokenUsage FromOpenAi(JsonObject? u)
    {
        if (u is null) return TokenUsage.Empty;
        var pd = J.Obj(u, "prompt_tokens_details") ?? J.Obj(u, "input_tokens_details");
        var cd = J.Obj(u, "completion_tokens_details") ?? J.Obj(u, "output_tokens_details");
        var prompt = J.Long(u, "prompt_tokens") ?? J.Long(u, "input_tokens") ?? 0;
        var completion = J.Long(u, "completion_tokens") ?? J.Long(u, "output_tokens") ?? 0;
        // DeepSeek reports prompt_cache_hit_tokens; some vendors a flat cached_tokens.
        var cached = J.Long(pd, "cached_tokens") ?? J.Long(u, "prompt_cache_hit_tokens") ?? J.Long(u, "cached_tokens") ?? 0;
        var w5 = J.Long(u, "claude_cache_creation_5_m_tokens") ?? 0;
        var w1 = J.Long(u, "claude_cache_creation_1_h_tokens") ?? 0;
        return new TokenUsage
        {
            Prompt = prompt,
            Completion = completion,
            CachedRead = cached,
            CacheCreation = J.Long(pd, "cached_creation_tokens") ?? w5 + w1,
            CacheCreation5m = w5,
            CacheCreation1h = w1,
            Reasoning = J.Long(cd, "reasoning_tokens") ?? 0,
            AudioIn = J.Long(pd, "audio_tokens") ?? 0,
            AudioOut = J.Long(cd, "audio_tokens") ?? 0,
            ImageIn = J.Long(pd, "image_tokens") ?? 0,
            Total = J.Long(u, "total_tokens") ?? prompt + completion,
        };
    }

    public static JsonObject ToOpenAi(TokenUsage u)
    {
        var o = new JsonObject
        {
            ["prompt_tokens"] = u.Prompt,
            ["completion_tokens"] = u.Completion,
            ["total_tokens"] = TotalOf(u),
        };
        var pd = new JsonObject { ["cached_tokens"] = u.CachedRead };
        if (u.AudioIn > 0) pd["audio_tokens"] = u.AudioIn;
        o["prompt_tokens_details"] = pd;
        var cd = new JsonObject { ["reasoning_tokens"] = u.Reasoning };
        if (u.AudioOut > 0) cd["audio_tokens"] = u.AudioOut;
        o["completion_tokens_details"] = cd;
        return o;
    }

    /// <summary>Claude's <c>input_tokens</c> excludes cache reads and writes, so they are added back into Prompt.</summary>
    public static TokenUsage FromClaude(JsonObject? u)
    {
        if (u is null) return TokenUsage.Empty;
        var input = J.Long(u, "input_tokens") ?? 0;
        var read = J.Long(u, "cache_read_input_tokens") ?? 0;
        var write = J.Long(u, "cache_creation_input_tokens") ?? 0;
        var split = J.Obj(u, "cache_creation");
        var output = J.Long(u, "output_tokens") ?? 0;
        return new TokenUsage
        {
            Prompt = input + read + write,
            Completion = output,
            CachedRead = read,
            CacheCreation = write,
            CacheCreation5m = J.Long(split, "ephemeral_5m_input_tokens") ?? 0,
            CacheCreation1h = J.Long(split, "ephemeral_1h_input_tokens") ?? 0,
            WebSearchRequests = J.Long(J.Obj(u, "server_tool_use"), "web_search_requests") ?? 0,
            Total = input + read + write + output,
        };
    }

    public static JsonObject ToClaude(TokenUsage u)
    {
        var o = new JsonObject
        {
            ["input_tokens"] = u.UncachedPrompt,
            ["output_tokens"] = u.Completion,
            ["cache_creation_input_tokens"] = u.CacheCreation,
            ["cache_read_input_tokens"] = u.CachedRead,
        };
        if (u.CacheCreation5m > 0 || u.CacheCreation1h > 0)
            o["cache_creation"] = new JsonObject
            {
                ["ephemeral_5m_input_tokens"] = u.CacheCreation5m,
                ["ephemeral_1h_input_tokens"] = u.CacheCreation1h,
            };
        if (u.WebSearchRequests > 0) o["server_tool_use"] = new JsonObject { ["web_search_requests"] = u.WebSearchRequests };
        return o;
    }

    /// <summary>relay.md §3.10: prompt = promptTokenCount + toolUsePromptTokenCount; completion = candidates + thoughts.</summary>
    public static TokenUsage FromGemini(JsonObject? u)
    {
        if (u is null) return TokenUsage.Empty;
        var prompt = (J.Long(u, "promptTokenCount", "prompt_token_count") ?? 0)
                     + (J.Long(u, "toolUsePromptTokenCount", "tool_use_prompt_token_count") ?? 0);
        var thoughts = J.Long(u, "thoughtsTokenCount", "thoughts_token_count") ?? 0;
        var candidates = J.Long(u, "candidatesTokenCount", "candidates_token_count") ?? 0;
        var total = J.Long(u, "totalTokenCount", "total_token_count");
        if (candidates == 0 && thoughts == 0 && total is { } t && t > prompt) candidates = t - prompt;
        return new TokenUsage
        {
            Prompt = prompt,
            Completion = candidates + thoughts,
            CachedRead = J.Long(u, "cachedContentTokenCount", "cached_content_token_count") ?? 0,
            Reasoning = thoughts,
            AudioIn = Modality(J.Arr(u, "promptTokensDetails", "prompt_tokens_details"), "AUDIO"),
            ImageIn = Modality(J.Arr(u, "promptTokensDetails", "prompt_tokens_details"), "IMAGE"),
            AudioOut = Modality(J.Arr(u, "candidatesTokensDetails", "candidates_tokens_details"), "AUDIO"),
            Total = total ?? prompt + candidates + thoughts,
        };
    }

    public static JsonObject ToGemini(TokenUsage u)
    {
        var o = new JsonObject
        {
            ["promptTokenCount"] = u.Prompt,
            ["candidatesTokenCount"] = Math.Max(0, u.Completion - u.Reasoning),
            ["totalTokenCount"] = TotalOf(u),
        };
        if (u.CachedRead > 0) o["cachedContentTokenCount"] = u.CachedRead;
        if (u.Reasoning > 0) o["thoughtsTokenCount"] = u.Reasoning;
        return o;
    }

    public static TokenUsage FromResponses(JsonObject? u)
    {
        if (u is null) return TokenUsage.Empty;
        var input = J.Long(u, "input_tokens") ?? 0;
        var output = J.Long(u, "output_tokens") ?? 0;
        var inDetails = J.Obj(u, "input_tokens_details");
        var outDetails = J.Obj(u, "output_tokens_details");
        return new TokenUsage
        {
            Prompt = input,
            Completion = output,
            CachedRead = J.Long(inDetails, "cached_tokens") ?? 0,
            AudioIn = J.Long(inDetails, "audio_tokens") ?? 0,
            ImageIn = J.Long(inDetails, "image_tokens") ?? 0,
            Reasoning = J.Long(outDetails, "reasoning_tokens") ?? 0,
            Total = J.Long(u, "total_tokens") ?? input + output,
        };
    }

    public static JsonObject ToResponses(TokenUsage u) => new()
    {
        ["input_tokens"] = u.Prompt,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = u.CachedRead },
        ["output_tokens"] = u.Completion,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = u.Reasoning },
        ["total_tokens"] = TotalOf(u),
    };

    public static TokenUsage Read(WireFamily family, JsonObject? usage) => family switch
    {
        WireFamily.Claude => FromClaude(usage),
        WireFamily.Gemini => FromGemini(usage),
        WireFamily.Responses => FromResponses(usage),
        _ => FromOpenAi(usage),
    };

    private static long TotalOf(TokenUsage u) => u.Total > 0 ? u.Total : u.Prompt + u.Completion;

    private static long Modality(JsonArray? details, string modality)
    {
        if (details is null) return 0;
        long sum = 0;
        foreach (var d in details)
            if (d is JsonObject o && J.Str(o, "modality") == modality) sum += J.Long(o, "tokenCount", "token_count") ?? 0;
        return sum;
    }
}
