using System.Text;
using NewApi.Relay.Convert.Model;

namespace NewApi.Relay.Convert.Streaming;

internal enum BlockKind { Text, Thinking, RedactedThinking, ToolUse }

/// <summary>One content block of a streamed answer (Claude's model: start, deltas, stop), whatever the upstream's framing.</summary>
internal sealed class StreamBlock(int index, BlockKind kind)
{
    public int Index { get; } = index;
    public BlockKind Kind { get; } = kind;
    public bool Open { get; set; } = true;
    /// <summary>Text, thinking text, or tool arguments JSON received so far.</summary>
    public StringBuilder Buffer { get; } = new();
    /// <summary>Thinking signature, or redacted thinking data.</summary>
    public string? Signature { get; set; }
    public string? ToolId { get; set; }
    public string? ToolName { get; set; }
    /// <summary>Position among tool blocks (OpenAI <c>tool_calls[].index</c>).</summary>
    public int ToolIndex { get; set; }
    /// <summary>Responses output item id / output index, assigned by that encoder.</summary>
    public string? ItemId { get; set; }
    public int OutputIndex { get; set; }

    public ConvPart ToPart() => Kind switch
    {
        BlockKind.Text => new TextPart(Buffer.ToString()) { ItemId = ItemId },
        BlockKind.Thinking => new ThinkingPart(Buffer.ToString()) { Signature = Signature, ItemId = ItemId },
        BlockKind.RedactedThinking => new ThinkingPart("") { RedactedData = Signature, ItemId = ItemId },
        _ => new ToolCallPart(ToolId ?? "", ToolName ?? "", Buffer.Length == 0 ? "{}" : Buffer.ToString()) { ItemId = ItemId },
    };
}
