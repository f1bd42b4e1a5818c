using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert;

/// <summary>A client response body produced by <see cref="FormatConverter.ConvertResponse"/>, with the usage read from the upstream.</summary>
public sealed class ConvertedResponse(JsonObject body, TokenUsage usage, StopReason stopReason)
{
    public JsonObject Body { get; } = body;
    public TokenUsage Usage { get; } = usage;
    public StopReason StopReason { get; } = stopReason;
}
