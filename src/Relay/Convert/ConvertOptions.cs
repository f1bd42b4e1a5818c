using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert;

/// <summary>Per-request knobs of <see cref="FormatConverter.ConvertRequest"/>; the pipeline fills them from the channel.</summary>
public sealed record RequestOptions
{
    public static readonly RequestOptions Default = new();

    /// <summary>Upstream model name to write (after model mapping); null keeps the client's.</summary>
    public string? Model { get; init; }

    /// <summary>Streaming flag when it is not in the body (Gemini clients: the URL action); overrides the body otherwise.</summary>
    public bool? Stream { get; init; }

    /// <summary>Claude requires <c>max_tokens</c>; used when the client sent none (New API setting, default 8192).</summary>
    public int ClaudeDefaultMaxTokens { get; init; } = 8192;

    /// <summary>Let a Claude upstream fetch http(s) images itself (<c>source.type = "url"</c>) instead of inlining them.</summary>
    public bool ClaudeImageUrls { get; init; }

    /// <summary>OpenAI-dialect upstream that understands <c>cache_control</c> on text parts (OpenRouter <c>anthropic/*</c>).</summary>
    public bool OpenAiCacheControl { get; init; }

    /// <summary>Send earlier assistant reasoning back as <c>reasoning_content</c> (DeepSeek thinking mode with tools).</summary>
    public bool OpenAiReasoningHistory { get; init; }

    /// <summary>Forward <c>top_k</c> to an OpenAI-dialect upstream (vLLM and similar accept it; OpenAI rejects it).</summary>
    public bool OpenAiTopK { get; init; }

    /// <summary>Streaming OpenAI-dialect upstream: force <c>stream_options.include_usage = true</c> (FORCE_STREAM_OPTION).</summary>
    public bool ForceStreamUsage { get; init; } = true;

    /// <summary>Gemini upstream: put the documented placeholder thought signature on model function calls that have none.</summary>
    public bool GeminiThoughtSignaturePlaceholder { get; init; } = true;

    /// <summary>Gemini upstream: threshold for every harm category (New API default <c>OFF</c>); null sends no safetySettings.</summary>
    public string? GeminiSafetyThreshold { get; init; } = "OFF";

    /// <summary>Reasoning derived from a model-name suffix (<see cref="ReasoningSuffix"/>); wins over the body.</summary>
    public ReasoningOverride? Reasoning { get; init; }
}

/// <summary>Reasoning requested outside the body, e.g. by a <c>-thinking</c> / <c>-high</c> model suffix.</summary>
public sealed record ReasoningOverride(bool? Enabled = null, string? Effort = null, int? BudgetTokens = null);

/// <summary>Per-request knobs for non-stream and stream response conversion.</summary>
public sealed class ResponseOptions
{
    public static readonly ResponseOptions Default = new();

    /// <summary>Unix seconds used for <c>created</c> / <c>created_at</c> when the upstream gives none.</summary>
    public long NowUnixSeconds { get; init; }

    /// <summary>Model name shown to the client; null shows the upstream's.</summary>
    public string? Model { get; init; }

    /// <summary>Prompt estimate for the Claude <c>message_start</c> event when the upstream reports input tokens only at the end.</summary>
    public long EstimatedPromptTokens { get; init; }

    /// <summary>OpenAI client: emit the final usage chunk (relay.md §2.9: true unless the client sent <c>stream_options.include_usage=false</c>).</summary>
    public bool IncludeUsage { get; init; } = true;

    /// <summary>Gemini client called <c>streamGenerateContent</c> without <c>alt=sse</c>: answer with one JSON array.</summary>
    public bool GeminiJsonArray { get; init; }

    /// <summary>OpenAI client: channel <c>thinking_to_content</c>, reasoning streamed inside <c>&lt;think&gt;</c> tags in content.</summary>
    public bool ThinkingToContent { get; init; }

    /// <summary>Responses client: the original request, so response objects echo its settings (tools, instructions…).</summary>
    public JsonObject? ClientRequest { get; init; }

    /// <summary>
    /// Streams only: called once at the end when the upstream reported no usage, with the text received (reasoning,
    /// text, tool names and arguments). Its result is written in the closing events (OpenAI usage chunk, Claude
    /// <c>message_delta</c>, Gemini <c>usageMetadata</c>, Responses <c>usage</c>) and exposed as the translator's usage
    /// (relay.md §3.10 estimates). <see cref="StreamTranslator.HasUpstreamUsage"/> stays false.
    /// </summary>
    public Func<string, TokenUsage>? EstimateUsage { get; init; }
}
