namespace NewApi.Relay.Convert;

/// <summary>
/// Token usage normalised across dialects. <see cref="Prompt"/> always counts every input token, cached or not
/// (OpenAI semantics): a Claude upstream's <c>input_tokens</c> is added to its cache read and cache write counts.
/// <see cref="Completion"/> includes reasoning tokens (a Gemini upstream's <c>thoughtsTokenCount</c> is added).
/// Depends on nothing but the BCL so that billing can take it over unchanged.
/// </summary>
public sealed record TokenUsage
{
    public static readonly TokenUsage Empty = new();

    /// <summary>All input tokens, including <see cref="CachedRead"/> and <see cref="CacheCreation"/>.</summary>
    public long Prompt { get; init; }
    /// <summary>All output tokens, including <see cref="Reasoning"/> and <see cref="AudioOut"/>.</summary>
    public long Completion { get; init; }
    /// <summary>Input tokens served from a prompt cache.</summary>
    public long CachedRead { get; init; }
    /// <summary>Input tokens written to a prompt cache (total; the split below may be partial or absent).</summary>
    public long CacheCreation { get; init; }
    /// <summary>Part of <see cref="CacheCreation"/> written with a 5-minute TTL (Claude).</summary>
    public long CacheCreation5m { get; init; }
    /// <summary>Part of <see cref="CacheCreation"/> written with a 1-hour TTL (Claude).</summary>
    public long CacheCreation1h { get; init; }
    /// <summary>Reasoning / thought tokens (part of <see cref="Completion"/>).</summary>
    public long Reasoning { get; init; }
    /// <summary>Audio tokens in the prompt.</summary>
    public long AudioIn { get; init; }
    /// <summary>Audio tokens in the completion.</summary>
    public long AudioOut { get; init; }
    /// <summary>Image tokens in the prompt, when the upstream reports them (Gemini modality details).</summary>
    public long ImageIn { get; init; }
    /// <summary>Server-side web search calls made by the upstream (Claude <c>server_tool_use.web_search_requests</c>).</summary>
    public long WebSearchRequests { get; init; }
    /// <summary>Total as reported by the upstream, or Prompt + Completion.</summary>
    public long Total { get; init; }

    /// <summary>True when the upstream reported any token count.</summary>
    public bool HasTokens => Prompt != 0 || Completion != 0 || Total != 0;

    /// <summary>Prompt tokens billed at the plain input rate (neither read from nor written to a cache).</summary>
    public long UncachedPrompt => Math.Max(0, Prompt - CachedRead - CacheCreation);
}
