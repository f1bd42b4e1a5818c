using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert;

/// <summary>Per-request knobs for non-stream and stream response conversion.</summary>
public sealed record ResponseOptions
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

    /// <summary>Responses client: called with the final response object (the body, or the one <c>response.completed</c> carries).</summary>
    public Action<JsonObject>? OnResponse { get; init; }

    /// <summary>
    /// Streams only: called once at the end when the upstream reported no usage, with the text received (reasoning,
    /// text, tool names and arguments). Its result is written in the closing events (OpenAI usage chunk, Claude
    /// <c>message_delta</c>, Gemini <c>usageMetadata</c>, Responses <c>usage</c>) and exposed as the translator's usage
    /// (relay.md §3.10 estimates). <see cref="StreamTranslator.HasUpstreamUsage"/> stays false.
    /// </summary>
    public Func<string, TokenUsage>? EstimateUsage { get; init; }
}
