using NewApi.Common;

namespace NewApi.Storage.Logs;

public sealed record LogPage(IReadOnlyList<LogRow> Items, long Total);

/// <summary>Consume-log totals: quota over the filter and time range; rpm/tpm over the last 60 seconds (no time filter).</summary>
public sealed record LogStat(long Quota, long Rpm, long Tpm);

/// <summary>
/// Reads of the logs table that stay fast on millions of rows. Whole weeks and days are counted and summed from the
/// summaries (log_weekly, log_daily, log_daily_type, kept exact by the writers); only the partial days at the ends of a range
/// touch the logs, through the covering index. A page at any depth is found by walking the per-period counts to the day
/// holding its first row, then reading only that slice: the cost follows the rows of a day or two, not the page number.
/// </summary>
public sealed class LogQueryRepository(SqliteDb db)
{
    public async Task<LogPage> PageAsync(LogFilter f, long offset, int limit, CancellationToken ct = default)
    {
        if (LogTimeRange.FromFilter(f.Start, f.End) is not { } range) return new LogPage([], 0);
        await using var conn = await LogReadConnection.OpenAsync(db, ct);
        // One read snapshot: rows written between the counts and the page read must not shift the page.
        await using var tx = conn.BeginTransaction(deferred: true);
        var segments = await LogSegments.BuildAsync(conn, tx, f, range, ct);
        var total = segments.Sum(s => s.Count);
        if (offset < 0 || offset >= total || limit <= 0) return new LogPage([], total);

        var (first, before) = Locate(segments, offset);
        if (segments[first].Kind == LogSegmentKind.Week)
        {
            // Narrow the week holding the first row down to its days, so the slice read below starts on that day.
            var week = segments[first];
            segments.RemoveAt(first);
            segments.InsertRange(first, await LogSegments.PeriodsAsync(conn, tx, f, false, week.Lo, week.Hi + 1, ct));
            (first, before) = Locate(segments, offset);
        }
        var skip = offset - before;
        var last = first;
        var covered = segments[first].Count;
        while (covered < skip + limit && last + 1 < segments.Count) covered += segments[++last].Count;

        var (where, args) = LogSql.Conditions(f);
        var sql = "SELECT " + LogRow.Columns + " FROM logs WHERE id IN (" + LogSql.PageIds(LogSql.PageDriver(f), "created_at >= $lo AND created_at <= $hi" + where)
                  + ") ORDER BY created_at DESC, id DESC";
        args.AddRange([("$lo", segments[last].Lo), ("$hi", segments[first].Hi), ("$limit", limit), ("$offset", skip)]);
        return new LogPage(await conn.QueryAsync(sql, tx, LogRow.Read, ct, [.. args]), total);
    }

    public async Task<LogStat> StatAsync(LogFilter filter, long now, CancellationToken ct = default)
    {
        var f = filter with { Type = (long)LogType.Consume, RequestId = "", UpstreamRequestId = "" };
        await using var conn = await LogReadConnection.OpenAsync(db, ct);
        await using var tx = conn.BeginTransaction(deferred: true);
        long quota = 0;
        if (LogTimeRange.FromFilter(f.Start, f.End) is { } range)
        {
            if (!range.HasWholeDays) quota = (await LogSegments.RawAsync(conn, tx, f, range, ct)).Quota;
            else
            {
                if (range.UpperEdge is { } up) quota += (await LogSegments.RawAsync(conn, tx, f, up, ct)).Quota;
                if (range.LowerEdge is { } low) quota += (await LogSegments.RawAsync(conn, tx, f, low, ct)).Quota;
                if (!f.HasDimension || !range.HasWholeWeeks) quota += await LogSegments.QuotaAsync(conn, tx, f, false, range.DayLo, range.DayHi, ct);
                else
                    quota += await LogSegments.QuotaAsync(conn, tx, f, false, range.WeekHi, range.DayHi, ct)
                             + await LogSegments.QuotaAsync(conn, tx, f, true, range.WeekLo, range.WeekHi, ct)
                             + await LogSegments.QuotaAsync(conn, tx, f, false, range.DayLo, range.WeekLo, ct);
            }
        }
        var recent = await LogSegments.RawAsync(conn, tx, f, new LogTimeRange(now - 60, long.MaxValue), ct);
        return new LogStat(quota, recent.Count, recent.Tokens);
    }

    /// <summary>The latest rows written with one token, newest first (GET /api/log/token).</summary>
    public async Task<List<LogRow>> LatestForTokenAsync(long tokenId, int limit, CancellationToken ct = default)
    {
        await using var conn = await LogReadConnection.OpenAsync(db, ct);
        return await conn.QueryAsync(LogSql.LatestForToken, null, LogRow.Read, ct, ("$t", tokenId), ("$l", limit));
    }

    /// <summary>The segment holding row number <paramref name="offset"/> and the rows in the segments before it.</summary>
    private static (int Index, long Before) Locate(List<LogSegment> segments, long offset)
    {
        var i = 0;
        var before = 0L;
        while (before + segments[i].Count <= offset) before += segments[i++].Count;
        return (i, before);
    }
}
