namespace NewApi.Relay.Convert;

/// <summary>Why generation ended, independent of dialect (mapped to each family's own vocabulary, relay.md §4.8).</summary>
public enum StopReason
{
    EndTurn,
    StopSequence,
    MaxTokens,
    ToolUse,
    ContentFilter,
    PauseTurn,
    Error,
}
