namespace NewApi.Relay.Convert.Shared;

/// <summary>Finish/stop reason vocabulary of each dialect (relay.md §4.8).</summary>
internal static class StopReasons
{
    public static StopReason FromOpenAi(string? reason) => reason switch
    {
        "length" or "max_tokens" => StopReason.MaxTokens,
        "tool_calls" or "function_call" => StopReason.ToolUse,
        "content_filter" => StopReason.ContentFilter,
        _ => StopReason.EndTurn,
    };

    public static string ToOpenAi(StopReason r) => r switch
    {
        StopReason.MaxTokens => "length",
        StopReason.ToolUse => "tool_calls",
        StopReason.ContentFilter => "content_filter",
        _ => "stop",
    };

    public static StopReason FromClaude(string? reason) => reason switch
    {
        "max_tokens" or "model_context_window_exceeded" => StopReason.MaxTokens,
        "stop_sequence" => StopReason.StopSequence,
        "tool_use" => StopReason.ToolUse,
        "refusal" => StopReason.ContentFilter,
        "pause_turn" => StopReason.PauseTurn,
        _ => StopReason.EndTurn,
    };

    public static string ToClaude(StopReason r) => r switch
    {
        StopReason.MaxTokens => "max_tokens",
        StopReason.StopSequence => "stop_sequence",
        StopReason.ToolUse => "tool_use",
        StopReason.ContentFilter => "refusal",
        StopReason.PauseTurn => "pause_turn",
        _ => "end_turn",
    };

    /// <summary>Gemini says STOP for function calls too; the caller upgrades to ToolUse when calls are present.</summary>
    public static StopReason FromGemini(string? reason) => reason switch
    {
        null or "" or "STOP" or "FINISH_REASON_UNSPECIFIED" => StopReason.EndTurn,
        "MAX_TOKENS" => StopReason.MaxTokens,
        "MALFORMED_FUNCTION_CALL" or "UNEXPECTED_TOOL_CALL" or "TOO_MANY_TOOL_CALLS" => StopReason.Error,
        _ => StopReason.ContentFilter,   // SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, LANGUAGE, OTHER, IMAGE_SAFETY…
    };

    public static string ToGemini(StopReason r) => r switch
    {
        StopReason.MaxTokens => "MAX_TOKENS",
        StopReason.ContentFilter => "SAFETY",
        _ => "STOP",
    };

    /// <summary>Responses has a status plus <c>incomplete_details.reason</c> instead of a stop reason.</summary>
    public static string? ResponsesIncompleteReason(StopReason r) => r switch
    {
        StopReason.MaxTokens => "max_output_tokens",
        StopReason.ContentFilter => "content_filter",
        _ => null,
    };

    public static StopReason FromResponses(string? status, string? incompleteReason, bool hasToolCalls)
    {
        if (status == "incomplete")
            return incompleteReason == "content_filter" ? StopReason.ContentFilter : StopReason.MaxTokens;
        if (status == "failed") return StopReason.Error;
        return hasToolCalls ? StopReason.ToolUse : StopReason.EndTurn;
    }
}
