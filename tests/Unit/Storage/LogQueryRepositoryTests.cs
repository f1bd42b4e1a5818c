using Microsoft.Data.Sqlite;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Logs;

namespace NewApi.Tests.Unit.Storage;

/// <summary>
/// The summary-driven reads against a brute-force answer computed in memory from the same rows: random filters, ranges
/// (aligned and not to day boundaries) and offsets, including writes, updates and deletes after the initial load.
/// </summary>
public sealed class LogQueryRepositoryTests : IAsyncLifetime
{
    private const long T0 = 1_735_689_600 + 3_333;   // not a day boundary
    private const long Span = 23 * LogTimeRange.Day;   // whole weeks, days and partial days
    private static readonly string[] Users = ["alice", "bob", "carol", "a_b", "a%b"];
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-3", "gemini-pro"];
    private static readonly string[] Groups = ["default", "vip", ""];
    private static readonly LogType[] Types = [LogType.Consume, LogType.Consume, LogType.Consume, LogType.Error, LogType.Topup, LogType.Login];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-logq-");
    private SqliteDb _db = null!;
    private LogQueryRepository _repo = null!;
    private readonly List<LogRow> _rows = [];

    public async ValueTask InitializeAsync()
    {
        _db = new SqliteDb(Path.Combine(_dir.FullName, "t.db"));
        await new Migrator(_db).MigrateAsync(TimeProvider.System);
        _repo = new LogQueryRepository(_db);
        var rnd = new Random(42);
        var batch = Enumerable.Range(0, 2500).Select(i => RandomRow(rnd, T0 + rnd.NextInt64(Span))).ToList();
        await _db.WriteAsync(async (conn, tx) => { foreach (var r in batch) await LogRepository.InsertAsync(conn, tx, r, default); });
        await ReloadAsync();
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private static LogRow RandomRow(Random rnd, long createdAt)
    {
        var u = rnd.Next(Users.Length);
        return new LogRow
        {
            UserId = u + 1, Username = Users[u], CreatedAt = createdAt, Type = Types[rnd.Next(Types.Length)],
            TokenName = "tok" + rnd.Next(3), ModelName = Models[rnd.Next(Models.Length)], Quota = rnd.Next(1000),
            PromptTokens = rnd.Next(500), CompletionTokens = rnd.Next(500), ChannelId = rnd.Next(4), Group = Groups[rnd.Next(Groups.Length)],
            RequestId = "req" + rnd.Next(2000), UpstreamRequestId = "up" + rnd.Next(2000), Other = "{}", TokenId = createdAt % 5 + 1,
        };
    }

    private async Task ReloadAsync()
    {
        await using var conn = await _db.OpenAsync();
        _rows.Clear();
        _rows.AddRange(await conn.QueryAsync("SELECT " + LogRow.Columns + " FROM logs", null, LogRow.Read, default));
    }

    private IEnumerable<LogRow> Expected(LogFilter f) => _rows.Where(r =>
        (f.Type == 0 || (long)r.Type == f.Type) && (f.Start == 0 || r.CreatedAt >= f.Start) && (f.End == 0 || r.CreatedAt <= f.End)
        && (f.UserId is null || r.UserId == f.UserId) && (f.Username.Length == 0 || r.Username == f.Username)
        && (f.TokenName.Length == 0 || r.TokenName == f.TokenName) && (f.ModelName.Length == 0 || r.ModelName == f.ModelName)
        && (f.ChannelId == 0 || r.ChannelId == f.ChannelId) && (f.Group.Length == 0 || r.Group == f.Group)
        && (f.RequestId.Length == 0 || r.RequestId == f.RequestId) && (f.UpstreamRequestId.Length == 0 || r.UpstreamRequestId == f.UpstreamRequestId))
        .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id);

    private static LogFilter RandomFilter(Random rnd)
    {
        long Bound() => rnd.Next(5) switch
        {
            0 => 0,
            4 => T0 + rnd.NextInt64(Span) is var t ? t - t % LogTimeRange.Week : 0,   // a week boundary
            1 => LogTimeRange.FloorDay(T0 + rnd.NextInt64(Span)),          // a day boundary
            2 => LogTimeRange.FloorDay(T0 + rnd.NextInt64(Span)) - 1,      // the second before one
            _ => T0 + rnd.NextInt64(-LogTimeRange.Day, Span + LogTimeRange.Day),
        };
        var a = Bound();
        var b = Bound();
        var f = new LogFilter { Start = a != 0 && b != 0 ? Math.Min(a, b) : a, End = a != 0 && b != 0 ? Math.Max(a, b) : b };
        if (rnd.Next(3) == 0) f = f with { Type = (long)Types[rnd.Next(Types.Length)] };
        if (rnd.Next(4) == 0) f = f with { UserId = rnd.Next(Users.Length) + 1 };
        if (rnd.Next(4) == 0) f = f with { Username = Users[rnd.Next(Users.Length)] };
        if (rnd.Next(4) == 0) f = f with { TokenName = "tok" + rnd.Next(3) };
        if (rnd.Next(4) == 0) f = f with { ModelName = Models[rnd.Next(Models.Length)] };
        if (rnd.Next(4) == 0) f = f with { ChannelId = rnd.Next(1, 4) };
        if (rnd.Next(4) == 0) f = f with { Group = Groups[rnd.Next(2)] };
        if (rnd.Next(10) == 0) f = f with { RequestId = "req" + rnd.Next(2000) };
        if (rnd.Next(10) == 0) f = f with { UpstreamRequestId = "up" + rnd.Next(2000) };
        return f;
    }

    private async Task AssertMatchesAsync(Random rnd, int cases)
    {
        for (var i = 0; i < cases; i++)
        {
            var f = RandomFilter(rnd);
            var expected = Expected(f).ToList();
            var limit = new[] { 1, 7, 10, 100 }[rnd.Next(4)];
            var offset = rnd.Next(4) == 0 ? expected.Count - rnd.Next(3) : rnd.NextInt64(expected.Count + 1);
            var page = await _repo.PageAsync(f, offset, limit);
            Assert.True(expected.Count == page.Total, $"total for {f}: {page.Total} != {expected.Count}");
            var want = offset < 0 ? [] : expected.Skip((int)offset).Take(limit).Select(r => r.Id).ToList();
            Assert.True(want.SequenceEqual(page.Items.Select(r => r.Id)), $"page {offset}+{limit} for {f}");

            var consume = Expected(f with { Type = (long)LogType.Consume, RequestId = "", UpstreamRequestId = "" }).ToList();
            var now = T0 + rnd.NextInt64(Span);
            var recent = Expected(f with { Type = (long)LogType.Consume, RequestId = "", UpstreamRequestId = "", Start = now - 60, End = 0 }).ToList();
            var stat = await _repo.StatAsync(f, now);
            Assert.Equal(new LogStat(consume.Sum(r => r.Quota), recent.Count, recent.Sum(r => r.PromptTokens + r.CompletionTokens)), stat);
        }
    }

    [Fact]
    public async Task PagesCountsAndStats_MatchBruteForce() => await AssertMatchesAsync(new Random(7), 300);

    private async Task AssertTokensMatchAsync()
    {
        for (var t = 1; t <= 5; t++)
        {
            var want = _rows.Where(r => r.TokenId == t).OrderByDescending(r => r.Id).Take(37).Select(r => r.Id).ToList();
            Assert.Equal(want, (await _repo.LatestForTokenAsync(t, 37)).Select(r => r.Id).ToList());
        }
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = await _db.OpenAsync();
        return await conn.ScalarLongAsync(sql, null, default);
    }

    /// <summary>
    /// Rows the batch writer leaves outside the partial log indexes (pending, migration 0036), spread over the same days as
    /// indexed ones, are read like them: pages, totals, stats and a token's latest rows match the brute force while all of
    /// them wait, once the indexer has taken part of them, and once it has taken all.
    /// </summary>
    [Fact]
    public async Task PendingRows_ReadLikeIndexedOnes_BeforeDuringAndAfterIndexing()
    {
        var rnd = new Random(23);
        var extra = Enumerable.Range(0, 1500).Select(_ => RandomRow(rnd, T0 + rnd.NextInt64(Span))).ToList();
        await _db.WriteAsync(async (conn, tx) =>
        {
            using (var insert = new LogInsertStatement(conn, pending: true))
                foreach (var r in extra) insert.Insert(r);
            var summaries = new LogSummaries();
            foreach (var r in extra) summaries.Add(r);
            await summaries.ApplyAsync(conn, tx, default);
        });
        await ReloadAsync();
        Assert.Equal(1500, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1"));
        Assert.Equal(2500, await ScalarAsync("SELECT COUNT(*) FROM logs INDEXED BY idx_logs_scan WHERE pending = 0 AND created_at > 0"));
        await AssertMatchesAsync(rnd, 100);
        await AssertTokensMatchAsync();

        var indexer = new LogIndexer();
        await using (var conn = await _db.OpenAsync()) await indexer.LoadAsync(conn, default);
        indexer.Advanced(await _db.WriteAsync((conn, tx) => indexer.IndexAsync(conn, tx, 3000, default)));
        Assert.Equal(3001, await ScalarAsync("SELECT pending_from FROM log_index_state"));
        Assert.Equal(1000, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1"));
        await AssertMatchesAsync(rnd, 100);
        await AssertTokensMatchAsync();

        indexer.Advanced(await _db.WriteAsync((conn, tx) => indexer.IndexAsync(conn, tx, 10_000, default)));
        Assert.Equal(0, indexer.Pending);
        Assert.Equal(4001, await ScalarAsync("SELECT pending_from FROM log_index_state"));
        Assert.Equal(4000, await ScalarAsync("SELECT COUNT(*) FROM logs INDEXED BY idx_logs_scan WHERE pending = 0 AND created_at > 0"));
        await AssertMatchesAsync(rnd, 60);
        await AssertTokensMatchAsync();

        // A restart reads the stored position back.
        var again = new LogIndexer();
        await using (var conn = await _db.OpenAsync()) await again.LoadAsync(conn, default);
        Assert.Equal(4001, again.PendingFrom);
        Assert.Equal(0, again.Pending);
    }

    [Fact]
    public async Task AfterUpdatesAndDeletes_SummaryStaysExact()
    {
        var rnd = new Random(11);
        await _db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("UPDATE logs SET quota = quota + 5, created_at = created_at + 40000 WHERE id % 7 = 0", tx, default);
            await conn.ExecuteAsync("UPDATE logs SET username = 'bob', \"group\" = 'vip' WHERE id % 11 = 0", tx, default);
            await conn.ExecuteAsync("DELETE FROM logs WHERE id % 13 = 0", tx, default);
        });
        var repo = new LogRepository(_db);
        var deleted = await repo.DeleteBeforeAsync(T0 + LogTimeRange.Day + 77, batchSize: 50);
        Assert.True(deleted > 0);
        await ReloadAsync();
        Assert.DoesNotContain(_rows, r => r.CreatedAt < T0 + LogTimeRange.Day + 77);
        await AssertMatchesAsync(rnd, 120);

        await using var conn = await _db.OpenAsync();
        var drift = await conn.ScalarLongAsync("""
            SELECT count(*) FROM (SELECT day, type, sum(rows) AS n FROM log_daily GROUP BY day, type) d
            FULL JOIN (SELECT created_at - created_at % 86400 AS day, type, count(*) AS n FROM logs GROUP BY 1, 2) l USING (day, type)
            WHERE coalesce(d.n, 0) <> coalesce(l.n, 0)
            """, null, default);
        Assert.Equal(0, drift);
        var weeklyDrift = await conn.ScalarLongAsync("""
            SELECT count(*) FROM (SELECT week, sum(rows) AS n, sum(quota) AS q FROM log_weekly GROUP BY week) w
            FULL JOIN (SELECT created_at - created_at % 604800 AS week, count(*) AS n, sum(quota) AS q FROM logs GROUP BY 1) l USING (week)
            WHERE coalesce(w.n, 0) <> coalesce(l.n, 0) OR coalesce(w.q, 0) <> coalesce(l.q, 0)
            """, null, default);
        Assert.Equal(0, weeklyDrift);
        Assert.Equal(0, await conn.ScalarLongAsync("SELECT count(*) FROM log_daily WHERE rows = 0 AND day <= $d", null, default,
            ("$d", LogTimeRange.FloorDay(T0 + LogTimeRange.Day + 77))));
    }

    [Fact]
    public async Task LikeFilters_MatchSqliteLike()
    {
        foreach (var (user, model) in new[] { ("a!_%", ""), ("%o%", "gpt%"), ("", "%mini"), ("a!%b", "") })
        {
            var f = new LogFilter { Username = user, UsernameLike = user.Length > 0, ModelName = model, ModelNameLike = model.Length > 0 };
            await using var conn = await _db.OpenAsync();
            var ids = await conn.QueryAsync("SELECT id FROM logs NOT INDEXED WHERE ($u = '' OR username LIKE $u ESCAPE '!') AND ($m = '' OR model_name LIKE $m ESCAPE '!') ORDER BY created_at DESC, id DESC",
                null, r => r.GetInt64(0), default, ("$u", user), ("$m", model));
            var page = await _repo.PageAsync(f, 3, 50);
            Assert.Equal(ids.Count, page.Total);
            Assert.Equal(ids.Skip(3).Take(50), page.Items.Select(r => r.Id));
        }
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(100, 50, false)]
    [InlineData(0, -5, false)]
    [InlineData(-5, 0, true)]
    [InlineData(1L << 41, 0, false)]
    public void TimeRange_FromFilter(long start, long end, bool matches) => Assert.Equal(matches, LogTimeRange.FromFilter(start, end) is not null);

    [Fact]
    public void TimeRange_SplitsWholeDaysAndEdges()
    {
        var r = LogTimeRange.FromFilter(86400 + 10, 3 * 86400 + 5)!.Value;
        Assert.Equal(2 * 86400, r.DayLo);
        Assert.Equal(3 * 86400, r.DayHi);
        Assert.Equal(new LogTimeRange(3 * 86400, 3 * 86400 + 5), r.UpperEdge);
        Assert.Equal(new LogTimeRange(86400 + 10, 2 * 86400 - 1), r.LowerEdge);
        var aligned = LogTimeRange.FromFilter(86400, 3 * 86400 - 1)!.Value;
        Assert.Null(aligned.UpperEdge);
        Assert.Null(aligned.LowerEdge);
        Assert.False(LogTimeRange.FromFilter(86400 + 10, 2 * 86400 + 5)!.Value.HasWholeDays);
    }
}
