namespace NewApi.Relay.Convert.Model;

/// <summary>A finished (non-streamed, or accumulated) assistant answer in dialect-neutral form.</summary>
internal sealed class ConvResponse
{
    public string? Id { get; set; }
    public string? Model { get; set; }
    public long Created { get; set; }
    /// <summary>Thinking, text, media (generated images) and tool calls, in output order.</summary>
    public List<ConvPart> Content { get; } = [];
    public StopReason Stop { get; set; } = StopReason.EndTurn;
    public string? StopSequence { get; set; }
    public TokenUsage Usage { get; set; } = TokenUsage.Empty;

    public bool HasToolCalls => Content.Exists(p => p is ToolCallPart);
}
