using NewApi.Billing;
using NewApi.Relay.Adapters;
using NewApi.Relay.Convert;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Formats;

/// <summary>Which chat dialect a route speaks and which one a channel speaks; a pair that differs is converted.</summary>
public static class ChatDialects
{
    /// <summary>The client's dialect for the chat-like and embeddings routes; null for routes that are never converted.</summary>
    public static WireFamily? OfRoute(RouteKind kind) => kind switch
    {
        RouteKind.ChatCompletions or RouteKind.Embeddings => WireFamily.OpenAiChat,
        RouteKind.GeminiEmbed or RouteKind.GeminiBatchEmbed => WireFamily.Gemini,
        RouteKind.ClaudeMessages => WireFamily.Claude,
        RouteKind.GeminiGenerate => WireFamily.Gemini,
        RouteKind.Responses => WireFamily.Responses,
        _ => null,
    };

    /// <summary>The names New API logs in <c>other.request_conversion</c>.</summary>
    public static string Name(WireFamily family) => family switch
    {
        WireFamily.Claude => "Claude Messages",
        WireFamily.Gemini => "Gemini",
        WireFamily.Responses => "OpenAI Responses",
        _ => "OpenAI Compatible",
    };

    /// <summary>
    /// How an attempt of <paramref name="kind"/> reaches a channel of <paramref name="profile"/>: natively through its
    /// adapter (null), or converted from the client's dialect to the channel's (embeddings by <see cref="EmbeddingRelay"/>,
    /// which also serves Gemini embeddings to a Gemini channel as they are). False when the channel cannot serve it.
    /// </summary>
    public static bool TryRoute(RouteKind kind, VendorProfile? profile, IProviderAdapter? adapter, out WireFamily? client, out WireFamily upstream)
    {
        client = null;
        upstream = WireFamily.OpenAiChat;
        if (profile is null) return false;
        // A Responses request to a vendor without /v1/responses of its own goes out as chat completions.
        if (adapter is not null && adapter.Supports(kind) && (kind != RouteKind.Responses || profile.NativeResponses)) return true;
        if (OfRoute(kind) is not { } from) return false;
        // Embeddings convert only between OpenAI's and Gemini's APIs (EmbeddingRelay).
        if (EmbeddingConverter.IsEmbedding(kind) && profile.Dialect is not (WireFamily.OpenAiChat or WireFamily.Gemini)) return false;
        client = from;
        upstream = profile.Dialect;
        return true;
    }

    /// <summary>
    /// Normalised usage in the billing's terms. A Claude upstream is billed with Anthropic's semantics (prompt without the
    /// cache reads and writes, 1-hour writes at their own rate), every other one with OpenAI's (prompt counts them).
    /// </summary>
    public static UsageCounts ToUsage(TokenUsage u, WireFamily upstream) => new()
    {
        AnthropicSemantics = upstream == WireFamily.Claude,
        PromptTokens = upstream == WireFamily.Claude ? u.UncachedPrompt : u.Prompt, CompletionTokens = u.Completion, CachedTokens = u.CachedRead, CacheWriteTokens = u.CacheCreation,
        CacheWrite5mTokens = u.CacheCreation5m, CacheWrite1hTokens = u.CacheCreation1h, ImageTokens = u.ImageIn,
        AudioInputTokens = u.AudioIn, AudioOutputTokens = u.AudioOut, ReasoningTokens = u.Reasoning, WebSearchCalls = u.WebSearchRequests,
    };
}
