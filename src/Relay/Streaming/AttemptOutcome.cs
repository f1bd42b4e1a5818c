using NewApi.Billing;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Streaming;

/// <summary>Why a stream stopped, as logged in other.stream_status.end_reason (New API's words).</summary>
public enum StreamEnd { Done, Eof, Timeout, ClientGone, Interrupted, TooLarge }

/// <summary>
/// How one upstream attempt ended. <see cref="Started"/>: bytes reached the client, so there is no retry and no JSON
/// error any more. <see cref="Error"/> with <see cref="Started"/> false is a clean failure the caller may retry.
/// </summary>
public sealed record AttemptOutcome
{
    public RelayError? Error { get; init; }
    public bool Started { get; init; }
    public bool ClientGone { get; init; }
    public UsageCounts? UpstreamUsage { get; init; }
    public string DeliveredText { get; init; } = "";
    public int ToolCalls { get; init; }
    public string UpstreamRequestId { get; init; } = "";
    public StreamEnd? StreamEnd { get; init; }

    public bool Succeeded => Error is null && !ClientGone;
}
