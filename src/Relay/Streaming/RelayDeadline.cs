namespace NewApi.Relay.Streaming;

/// <summary>
/// RELAY_TIMEOUT (relay.md §0): the whole upstream exchange of one attempt — connect, first byte and every byte of the
/// answer — must finish by <see cref="At"/>. Set per attempt as an HttpContext feature; the relays shorten their
/// STREAMING_TIMEOUT idle window to what is left, so an expired deadline ends the answer as a timeout (an error event
/// for streams, a retryable 504 before anything was sent). Absent (the default, 0 = none), nothing changes.
/// </summary>
public sealed class RelayDeadline(long at, TimeProvider time)
{
    /// <summary>The deadline as a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long At { get; } = at;

    public static RelayDeadline? Start(int seconds, TimeProvider time) =>
        seconds > 0 ? new RelayDeadline(time.GetTimestamp() + seconds * time.TimestampFrequency, time) : null;

    public TimeSpan Left
    {
        get
        {
            var ticks = At - time.GetTimestamp();
            return ticks <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(ticks / (double)time.TimestampFrequency);
        }
    }

    /// <summary>The idle window for the next read: <paramref name="idle"/>, or less when the deadline is nearer.</summary>
    public static TimeSpan Window(RelayDeadline? deadline, TimeSpan idle) =>
        deadline is null ? idle : deadline.Left is var left && left < idle ? left : idle;

    /// <summary>A token source that also fires at the deadline, for reading a whole answer; null (use <paramref name="ct"/>) without one.</summary>
    public static CancellationTokenSource? Cut(RelayDeadline? deadline, CancellationToken ct)
    {
        if (deadline is null) return null;
        var cut = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cut.CancelAfter(deadline.Left);
        return cut;
    }
}
