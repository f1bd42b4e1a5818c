namespace NewApi.Storage.Logs;

/// <summary>
/// An inclusive created_at range, open sides as <see cref="long.MinValue"/>/<see cref="long.MaxValue"/>, split into the
/// whole UTC days the per-day summary answers and the partial days at either end that are read from the logs.
/// </summary>
public readonly record struct LogTimeRange(long Lo, long Hi)
{
    public const long Day = 86400;
    public const long Week = 7 * Day;

    /// <summary>Beyond any real timestamp (year 36812); larger inputs would only overflow the day arithmetic.</summary>
    private const long Horizon = 1L << 40;

    public static readonly LogTimeRange All = new(long.MinValue, long.MaxValue);

    /// <summary>
    /// New API's filter: a non-zero start means created_at &gt;= start, a non-zero end created_at &lt;= end. Returns null
    /// when nothing can match. Log timestamps are never negative, so a negative start is the same as no start.
    /// </summary>
    public static LogTimeRange? FromFilter(long start, long end)
    {
        if (start >= Horizon || end < 0) return null;
        var lo = start > 0 ? start : long.MinValue;
        var hi = end == 0 || end >= Horizon ? long.MaxValue : end;
        return lo != long.MinValue && lo > hi ? null : new LogTimeRange(lo, hi);
    }

    /// <summary>First whole day inside the range (inclusive day start).</summary>
    public long DayLo => Lo == long.MinValue ? long.MinValue : CeilDay(Lo);

    /// <summary>End of the whole days inside the range (exclusive day start).</summary>
    public long DayHi => Hi == long.MaxValue ? long.MaxValue : FloorDay(Hi + 1);

    public bool HasWholeDays => DayLo < DayHi;

    /// <summary>First whole week (epoch-aligned, 604800 s) inside the whole days.</summary>
    public long WeekLo => DayLo == long.MinValue ? long.MinValue : Ceil(DayLo, Week);

    /// <summary>End of the whole weeks inside the whole days (exclusive).</summary>
    public long WeekHi => DayHi == long.MaxValue ? long.MaxValue : Floor(DayHi, Week);

    public bool HasWholeWeeks => HasWholeDays && WeekLo < WeekHi;

    /// <summary>The part after the last whole day, or null.</summary>
    public LogTimeRange? UpperEdge => HasWholeDays && Hi != long.MaxValue && DayHi <= Hi ? new LogTimeRange(DayHi, Hi) : null;

    /// <summary>The part before the first whole day, or null.</summary>
    public LogTimeRange? LowerEdge => HasWholeDays && Lo != long.MinValue && Lo < DayLo ? new LogTimeRange(Lo, DayLo - 1) : null;

    /// <summary>The summary's bucket of a timestamp: <c>created_at - created_at % 86400</c> (non-negative timestamps).</summary>
    public static long FloorDay(long t) => Floor(t, Day);

    public static long CeilDay(long t) => Ceil(t, Day);

    private static long Floor(long t, long unit) => t - ((t % unit) + unit) % unit;

    private static long Ceil(long t, long unit) => t % unit == 0 ? t : Floor(t, unit) + unit;
}
