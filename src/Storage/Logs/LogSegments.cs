using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Logs;

public enum LogSegmentKind { Raw, Day, Week }

/// <summary>A slice of a time range with the exact number of rows matching a filter; Hi is inclusive.</summary>
public readonly record struct LogSegment(LogSegmentKind Kind, long Lo, long Hi, long Count);

/// <summary>
/// Splits a range into slices whose counts come from the cheapest exact source: whole weeks from log_weekly, whole days
/// from log_daily (log_daily_type without a dimension filter), the partial days at the ends from the logs through an
/// index. Newest slice first.
/// </summary>
public static class LogSegments
{
    public static async Task<List<LogSegment>> BuildAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange range,
        CancellationToken ct)
    {
        var list = new List<LogSegment>();
        if (f.HasRequestId || !range.HasWholeDays)
        {
            await AddRawAsync(list, conn, tx, f, range, ct);
            return list;
        }
        if (range.UpperEdge is { } up) await AddRawAsync(list, conn, tx, f, up, ct);
        if (!f.HasDimension || !range.HasWholeWeeks) list.AddRange(await PeriodsAsync(conn, tx, f, false, range.DayLo, range.DayHi, ct));
        else
        {
            list.AddRange(await PeriodsAsync(conn, tx, f, false, range.WeekHi, range.DayHi, ct));
            list.AddRange(await PeriodsAsync(conn, tx, f, true, range.WeekLo, range.WeekHi, ct));
            list.AddRange(await PeriodsAsync(conn, tx, f, false, range.DayLo, range.WeekLo, ct));
        }
        if (range.LowerEdge is { } low) await AddRawAsync(list, conn, tx, f, low, ct);
        return list;
    }

    /// <summary>Row counts per day (or week) in [lo, hi), newest first, periods without rows left out.</summary>
    public static async Task<List<LogSegment>> PeriodsAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, bool weekly, long lo,
        long hi, CancellationToken ct)
    {
        if (lo >= hi) return [];
        var (from, period) = Source(f, weekly);
        var (where, args) = LogSql.Conditions(f, withRequestIds: false, summary: true);
        args.AddRange([("$p_lo", lo), ("$p_hi", hi)]);
        var kind = weekly ? LogSegmentKind.Week : LogSegmentKind.Day;
        var length = weekly ? LogTimeRange.Week : LogTimeRange.Day;
        return await conn.QueryAsync("SELECT " + period + ", sum(rows) FROM " + from + " WHERE " + period + " >= $p_lo AND " + period + " < $p_hi"
            + where + " GROUP BY " + period + " HAVING sum(rows) > 0 ORDER BY " + period + " DESC", tx,
            r => new LogSegment(kind, r.GetInt64(0), r.GetInt64(0) + length - 1, r.GetInt64(1)), ct, [.. args]);
    }

    /// <summary>Consume quota of whole days or weeks in [lo, hi).</summary>
    public static async Task<long> QuotaAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, bool weekly, long lo, long hi,
        CancellationToken ct)
    {
        if (lo >= hi) return 0;
        var (from, period) = Source(f, weekly);
        var (where, args) = LogSql.Conditions(f, withRequestIds: false, summary: true);
        args.AddRange([("$p_lo", lo), ("$p_hi", hi)]);
        return await conn.ScalarLongAsync("SELECT COALESCE(sum(quota), 0) FROM " + from + " WHERE " + period + " >= $p_lo AND " + period
            + " < $p_hi" + where, tx, ct, [.. args]);
    }

    /// <summary>The per-day-and-type table answers filters on type alone; weeks are only kept with dimensions.</summary>
    private static (string From, string Period) Source(LogFilter f, bool weekly) =>
        !f.HasDimension && !weekly ? ("log_daily_type", "day") : (LogSql.Summary(f, weekly), weekly ? "week" : "day");

    private static async Task AddRawAsync(List<LogSegment> list, SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange r,
        CancellationToken ct)
    {
        var count = (await RawAsync(conn, tx, f, r, ct)).Count;
        if (count > 0) list.Add(new LogSegment(LogSegmentKind.Raw, r.Lo, r.Hi, count));
    }

    public readonly record struct Aggregate(long Count, long Quota, long Tokens);

    /// <summary>Count, quota and tokens straight from the logs (an index of a narrow filter, else the covering index).</summary>
    public static async Task<Aggregate> RawAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange r, CancellationToken ct)
    {
        var (where, args) = LogSql.Conditions(f);
        args.AddRange([("$lo", r.Lo), ("$hi", r.Hi)]);
        var rows = await conn.QueryAsync("SELECT count(*), COALESCE(sum(quota), 0), COALESCE(sum(prompt_tokens), 0) + COALESCE(sum(completion_tokens), 0)"
            + " FROM (" + LogSql.Sourced(LogSql.AggregateDriver(f), "quota, prompt_tokens, completion_tokens", "created_at >= $lo AND created_at <= $hi" + where) + ")", tx,
            x => new Aggregate(x.GetInt64(0), x.GetInt64(1), x.GetInt64(2)), ct, [.. args]);
        return rows[0];
    }
}
