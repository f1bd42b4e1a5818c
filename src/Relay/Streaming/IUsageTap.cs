using NewApi.Billing;

namespace NewApi.Relay.Streaming;

/// <summary>What a stream frame means to the relay once the tap has looked at it.</summary>
public enum FrameKind
{
    /// <summary>An ordinary event: forward it.</summary>
    Content,
    /// <summary>A chunk that carries only usage (no choices): forwarded only when the client asked for usage.</summary>
    UsageOnly,
    /// <summary>The end marker (<c>[DONE]</c>): the relay writes its own ending.</summary>
    Done,
}

/// <summary>
/// Reads usage from one protocol family's responses: the usage object when the provider reports it, and the text it
/// delivered, so a response without usage is billed for what the client really received.
/// </summary>
public interface IUsageTap
{
    /// <summary>One SSE data payload (the bytes after "data:"), in order.</summary>
    FrameKind Observe(ReadOnlySpan<byte> payload);

    /// <summary>A whole non-stream JSON body.</summary>
    void ObserveBody(ReadOnlySpan<byte> body);

    /// <summary>Usage as the provider reported it, or null.</summary>
    UsageCounts? Usage { get; }

    /// <summary>Completion text delivered so far (content, reasoning, tool names and arguments).</summary>
    string DeliveredText { get; }

    /// <summary>Largest number of tool calls seen in one choice (New API adds 7 tokens per call to estimates).</summary>
    int ToolCalls { get; }

    /// <summary>Id, created and model of the response, for a synthesised usage chunk.</summary>
    (string Id, long Created, string Model) Header { get; }
}
