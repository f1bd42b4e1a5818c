using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Logs;

public sealed record LogPage(IReadOnlyList<LogRow> Items, long Total);

/// <summary>Consume-log totals: quota over the filter and time range; rpm/tpm over the last 60 seconds (no time filter).</summary>
public sealed record LogStat(long Quota, long Rpm, long Tpm);

/// <summary>
/// Reads of the logs table that stay fast on millions of rows. Whole UTC days are counted and summed from the per-day
/// summary (log_daily, kept exact by triggers); only the partial days at the ends of a range touch the logs, through the
/// covering index. A page at any depth is found by walking the per-day counts to the day that holds its first row, then
/// reading only that slice: cost follows the rows of one or two days, not the page number.
/// </summary>
public sealed class LogQueryRepository(SqliteDb db)
{
    private readonly record struct Segment(long Lo, long Hi, long Count);

    public async Task<LogPage> PageAsync(LogFilter f, long offset, int limit, CancellationToken ct = default)
    {
        if (LogTimeRange.FromFilter(f.Start, f.End) is not { } range) return new LogPage([], 0);
        await using var conn = await db.OpenAsync(ct);
        // One read snapshot: rows written between the counts and the page read must not shift the page.
        await using var tx = conn.BeginTransaction(deferred: true);
        var segments = await SegmentsAsync(conn, tx, f, range, ct);
        var total = segments.Sum(s => s.Count);
        if (offset < 0 || offset >= total || limit <= 0) return new LogPage([], total);

        var first = 0;
        var before = 0L;
        while (before + segments[first].Count <= offset) before += segments[first++].Count;
        var skip = offset - before;
        var last = first;
        var covered = segments[first].Count;
        while (covered < skip + limit && last + 1 < segments.Count) covered += segments[++last].Count;

        var (where, args) = LogSql.Conditions(f);
        var sql = "SELECT " + LogRow.Columns + " FROM logs WHERE id IN (SELECT id FROM logs" + LogSql.LogsIndex(LogSql.PageDriver(f))
                  + " WHERE created_at >= $lo AND created_at <= $hi" + where
                  + " ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset) ORDER BY created_at DESC, id DESC";
        args.AddRange([("$lo", segments[last].Lo), ("$hi", segments[first].Hi), ("$limit", limit), ("$offset", skip)]);
        var rows = await conn.QueryAsync(sql, tx, LogRow.Read, ct, [.. args]);
        return new LogPage(rows, total);
    }

    public async Task<LogStat> StatAsync(LogFilter filter, long now, CancellationToken ct = default)
    {
        var f = filter with { Type = (int)LogType.Consume, RequestId = "", UpstreamRequestId = "" };
        await using var conn = await db.OpenAsync(ct);
        await using var tx = conn.BeginTransaction(deferred: true);
        long quota = 0;
        if (LogTimeRange.FromFilter(f.Start, f.End) is { } range)
        {
            if (!range.HasWholeDays) quota = (await RawAggregateAsync(conn, tx, f, range, ct)).Quota;
            else
            {
                quota = await DailyQuotaAsync(conn, tx, f, range, ct);
                if (range.UpperEdge is { } up) quota += (await RawAggregateAsync(conn, tx, f, up, ct)).Quota;
                if (range.LowerEdge is { } low) quota += (await RawAggregateAsync(conn, tx, f, low, ct)).Quota;
            }
        }
        var recent = await RawAggregateAsync(conn, tx, f, new LogTimeRange(now - 60, long.MaxValue), ct);
        return new LogStat(quota, recent.Count, recent.Tokens);
    }

    /// <summary>The latest rows written with one token, newest first (GET /api/log/token).</summary>
    public async Task<List<LogRow>> LatestForTokenAsync(long tokenId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync("SELECT " + LogRow.Columns + " FROM logs INDEXED BY idx_logs_token_id WHERE token_id = $t ORDER BY id DESC LIMIT $l",
            null, LogRow.Read, ct, ("$t", tokenId), ("$l", limit));
    }

    /// <summary>Newest first: the partial day after the range's whole days, the whole days, the partial day before.</summary>
    private static async Task<List<Segment>> SegmentsAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange range,
        CancellationToken ct)
    {
        var list = new List<Segment>();
        if (f.HasRequestId || !range.HasWholeDays)
        {
            await AddRawAsync(list, conn, tx, f, range, ct);
            return list;
        }
        if (range.UpperEdge is { } up) await AddRawAsync(list, conn, tx, f, up, ct);
        list.AddRange(await DaySegmentsAsync(conn, tx, f, range, ct));
        if (range.LowerEdge is { } low) await AddRawAsync(list, conn, tx, f, low, ct);
        return list;
    }

    private static async Task AddRawAsync(List<Segment> list, SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange r,
        CancellationToken ct)
    {
        var (where, args) = LogSql.Conditions(f);
        args.AddRange([("$lo", r.Lo), ("$hi", r.Hi)]);
        var count = await conn.ScalarLongAsync("SELECT count(*) FROM logs" + LogSql.LogsIndex(LogSql.AggregateDriver(f))
            + " WHERE created_at >= $lo AND created_at <= $hi" + where, tx, ct, [.. args]);
        if (count > 0) list.Add(new Segment(r.Lo, r.Hi, count));
    }

    private static async Task<List<Segment>> DaySegmentsAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange range,
        CancellationToken ct)
    {
        var (where, args) = LogSql.Conditions(f, withRequestIds: false);
        var from = f.HasDimension ? "log_daily" + LogSql.DailyIndex(f) : "log_daily_type";
        args.AddRange([("$day_lo", range.DayLo), ("$day_hi", range.DayHi)]);
        return await conn.QueryAsync("SELECT day, sum(rows) FROM " + from + " WHERE day >= $day_lo AND day < $day_hi" + where
            + " GROUP BY day HAVING sum(rows) > 0 ORDER BY day DESC", tx,
            r => new Segment(r.GetInt64(0), r.GetInt64(0) + LogTimeRange.Day - 1, r.GetInt64(1)), ct, [.. args]);
    }

    private static async Task<long> DailyQuotaAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange range,
        CancellationToken ct)
    {
        var (where, args) = LogSql.Conditions(f, withRequestIds: false);
        var from = f.HasDimension ? "log_daily" + LogSql.DailyIndex(f) : "log_daily_type";
        args.AddRange([("$day_lo", range.DayLo), ("$day_hi", range.DayHi)]);
        return await conn.ScalarLongAsync("SELECT COALESCE(sum(quota), 0) FROM " + from + " WHERE day >= $day_lo AND day < $day_hi" + where,
            tx, ct, [.. args]);
    }

    private readonly record struct Aggregate(long Count, long Quota, long Tokens);

    private static async Task<Aggregate> RawAggregateAsync(SqliteConnection conn, SqliteTransaction tx, LogFilter f, LogTimeRange r,
        CancellationToken ct)
    {
        var (where, args) = LogSql.Conditions(f);
        args.AddRange([("$lo", r.Lo), ("$hi", r.Hi)]);
        var rows = await conn.QueryAsync("SELECT count(*), COALESCE(sum(quota), 0), COALESCE(sum(prompt_tokens), 0) + COALESCE(sum(completion_tokens), 0)"
            + " FROM logs" + LogSql.LogsIndex(LogSql.AggregateDriver(f)) + " WHERE created_at >= $lo AND created_at <= $hi" + where, tx,
            x => new Aggregate(x.GetInt64(0), x.GetInt64(1), x.GetInt64(2)), ct, [.. args]);
        return rows[0];
    }
}
