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
