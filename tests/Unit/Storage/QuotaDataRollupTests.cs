using Microsoft.Data.Sqlite;
using NewApi.Storage;
using NewApi.Storage.QuotaData;

namespace NewApi.Tests.Unit.Storage;

/// <summary>
/// The dashboard rollups (quota_data_day + quota_data_key for /flow, quota_data_user_hour for /users) against brute-force
/// answers computed in memory from the hour buckets themselves: random ranges that start and end mid-day, on day edges,
/// inside one day and across many; after the relay's additive upserts, renames, moves and deletes.
/// </summary>
public sealed class QuotaDataRollupTests : IAsyncLifetime
{
    private const long Day = 86400;
    private const long T0 = 1_735_689_600 + 5 * 3600;   // 05:00 UTC, not a day boundary
    private const long Span = 12 * Day;
    private static readonly string[] Users = ["alice", "bob", "carol"];
    private static readonly string[] Models = ["gpt-4o", "claude-3", "gemini"];
    private static readonly string[] Groups = ["default", "vip", ""];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-qdroll-");
    private SqliteDb _db = null!;
    private QuotaDataRepository _repo = null!;
    private List<QuotaDataRow> _rows = [];

    public async ValueTask InitializeAsync()
    {
        _db = new SqliteDb(Path.Combine(_dir.FullName, "t.db"));
        await new Migrator(_db).MigrateAsync(TimeProvider.System);
        _repo = new QuotaDataRepository(_db);
        var rnd = new Random(5);
        for (var batch = 0; batch < 4; batch++)   // repeated keys: the upsert's update path runs the update triggers
            await _repo.AddAsync(Enumerable.Range(0, 400).Select(_ => RandomBucket(rnd)).ToList());
        await ReloadAsync();
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private static QuotaDataRow RandomBucket(Random rnd)
    {
        var u = rnd.Next(Users.Length);
        return new QuotaDataRow
        {
            UserId = u + 1, Username = Users[u], ModelName = Models[rnd.Next(Models.Length)], CreatedAt = T0 + rnd.NextInt64(Span),
            UseGroup = Groups[rnd.Next(Groups.Length)], TokenId = rnd.Next(3), ChannelId = rnd.Next(3), NodeName = rnd.Next(4) == 0 ? "n1" : "",
            Count = rnd.Next(1, 5), Quota = rnd.Next(1000), TokenUsed = rnd.Next(5000),
        };
    }

    private async Task ReloadAsync()
    {
        await using var conn = await _db.OpenAsync();
        _rows = await conn.QueryAsync("SELECT user_id, username, model_name, created_at, use_group, token_id, channel_id, node_name, count, quota, token_used FROM quota_data",
            null, r => new QuotaDataRow
            {
                UserId = r.Long(0), Username = r.Str(1), ModelName = r.Str(2), CreatedAt = r.Long(3), UseGroup = r.Str(4), TokenId = r.Long(5),
                ChannelId = r.Long(6), NodeName = r.Str(7), Count = r.Long(8), Quota = r.Long(9), TokenUsed = r.Long(10),
            }, default);
    }

    /// <summary>The flow as the plain hour-bucket GROUP BY computes it, in the route's order.</summary>
    private List<string> ExpectedFlow(QuotaFlowScope scope, long start, long end, string username) => _rows
        .Where(r => r.UseGroup.Length > 0 && r.CreatedAt >= start && r.CreatedAt <= end && (username.Length == 0 || r.Username == username))
        .GroupBy(r => scope == QuotaFlowScope.Root
            ? (r.UserId, r.Username, r.NodeName, r.TokenId, r.UseGroup, r.ModelName, r.ChannelId)
            : (r.UserId, r.Username, "", 0L, r.UseGroup, r.ModelName, r.ChannelId))
        .Select(g => new QuotaFlowRow
        {
            UserId = g.Key.UserId, Username = g.Key.Username, NodeName = g.Key.Item3, TokenId = g.Key.Item4, UseGroup = g.Key.UseGroup,
            ModelName = g.Key.ModelName, ChannelId = g.Key.ChannelId, Count = g.Sum(r => r.Count), Quota = g.Sum(r => r.Quota), TokenUsed = g.Sum(r => r.TokenUsed),
        })
        .OrderByDescending(r => r.Quota).ThenBy(r => r.UserId).ThenBy(r => r.Username, StringComparer.Ordinal)
        .ThenBy(r => r.NodeName, StringComparer.Ordinal).ThenBy(r => r.TokenId).ThenBy(r => r.UseGroup, StringComparer.Ordinal)
        .ThenBy(r => r.ModelName, StringComparer.Ordinal).ThenBy(r => r.ChannelId)
        .Select(Show).ToList();

    private List<string> ExpectedPerUser(long start, long end) => _rows
        .Where(r => r.CreatedAt >= start && r.CreatedAt <= end)
        .GroupBy(r => (r.CreatedAt, r.Username))
        .OrderBy(g => g.Key.CreatedAt).ThenBy(g => g.Key.Username, StringComparer.Ordinal)
        .Select(g => $"{g.Key.Username}|{g.Key.CreatedAt}|{g.Sum(r => r.Count)}|{g.Sum(r => r.Quota)}|{g.Sum(r => r.TokenUsed)}").ToList();

    private static string Show(QuotaFlowRow r) =>
        $"{r.UserId}|{r.Username}|{r.NodeName}|{r.TokenId}|{r.UseGroup}|{r.ModelName}|{r.ChannelId}|{r.Count}|{r.Quota}|{r.TokenUsed}";

    /// <summary>Random bounds: mid-day, a day start, the last second of a day, the same day, outside the data.</summary>
    private static (long Start, long End) RandomRange(Random rnd)
    {
        long Bound() => rnd.Next(5) switch
        {
            0 => T0 + rnd.NextInt64(Span) is var t ? t - t % Day : 0,
            1 => T0 + rnd.NextInt64(Span) is var t ? t - t % Day - 1 : 0,
            2 => T0 + rnd.NextInt64(Span) is var t ? t - t % 3600 : 0,
            _ => T0 + rnd.NextInt64(-Day, Span + Day),
        };
        var a = Bound();
        var b = rnd.Next(4) == 0 ? a - a % Day + rnd.NextInt64(Day) : Bound();   // often inside one day
        return (Math.Min(a, b), Math.Max(a, b));
    }

    private async Task AssertMatchesAsync(Random rnd, int cases)
    {
        for (var i = 0; i < cases; i++)
        {
            var (s, e) = RandomRange(rnd);
            var name = rnd.Next(4) == 0 ? Users[rnd.Next(Users.Length)] : "";
            foreach (var scope in new[] { QuotaFlowScope.Admin, QuotaFlowScope.Root })
            {
                var got = (await _repo.FlowAsync(scope, s, e, name, 0)).Select(Show).ToList();
                Assert.True(ExpectedFlow(scope, s, e, name).SequenceEqual(got), $"{scope} flow [{s}, {e}] username '{name}'");
            }
            var users = (await _repo.PerUserAsync(s, e)).Select(r => $"{r.Username}|{r.CreatedAt}|{r.Count}|{r.Quota}|{r.TokenUsed}").ToList();
            Assert.True(ExpectedPerUser(s, e).SequenceEqual(users), $"users [{s}, {e}]");
        }
    }

    private async Task AssertRollupsExactAsync()
    {
        await using var conn = await _db.OpenAsync();
        var dayDrift = await conn.ScalarLongAsync("""
            SELECT count(*) FROM (
                SELECT d.day, k.user_id, k.username, k.node_name, k.token_id, k.use_group, k.model_name, k.channel_id, d.rows, d.count, d.quota, d.token_used
                FROM quota_data_day d JOIN quota_data_key k ON k.id = d.key_id WHERE d.rows <> 0
                EXCEPT
                SELECT created_at - created_at % 86400, user_id, username, node_name, token_id, use_group, model_name, channel_id,
                       count(*), sum(count), sum(quota), sum(token_used) FROM quota_data GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)
            """, null, default);
        var dayRows = await conn.ScalarLongAsync("SELECT (SELECT sum(rows) FROM quota_data_day) - (SELECT count(*) FROM quota_data)", null, default);
        var zeroRowsNonZeroSums = await conn.ScalarLongAsync(
            "SELECT count(*) FROM quota_data_day WHERE rows = 0 AND (count <> 0 OR quota <> 0 OR token_used <> 0)", null, default);
        var hourDrift = await conn.ScalarLongAsync("""
            SELECT count(*) FROM (
                SELECT created_at, username, rows, count, quota, token_used FROM quota_data_user_hour WHERE rows <> 0
                EXCEPT
                SELECT created_at, username, count(*), sum(count), sum(quota), sum(token_used) FROM quota_data GROUP BY 1, 2)
            """, null, default);
        var hourRows = await conn.ScalarLongAsync("SELECT (SELECT sum(rows) FROM quota_data_user_hour) - (SELECT count(*) FROM quota_data)", null, default);
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (dayDrift, dayRows, zeroRowsNonZeroSums, hourDrift, hourRows));
    }

    [Fact]
    public async Task FlowAndPerUser_MatchTheHourBuckets()
    {
        await AssertRollupsExactAsync();
        await AssertMatchesAsync(new Random(3), 250);
    }

    [Fact]
    public async Task AfterUpdatesRenamesAndDeletes_RollupsStayExact()
    {
        var rnd = new Random(9);
        // The relay's flush renames: the same bucket key with a new username moves the bucket's sums.
        var renamed = _rows.Where((_, i) => i % 5 == 0).Select(r => r with { Username = r.Username + "-renamed", Count = 1, Quota = 3, TokenUsed = 4 }).ToList();
        await _repo.AddAsync(renamed);
        await _repo.AddAsync(Enumerable.Range(0, 200).Select(_ => RandomBucket(rnd)).ToList());
        await _db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("UPDATE OR IGNORE quota_data SET created_at = created_at + 2 * 86400 + 3600 WHERE id % 7 = 0", tx, default);
            await conn.ExecuteAsync("UPDATE OR IGNORE quota_data SET use_group = 'vip', node_name = 'n2', token_id = 9 WHERE id % 11 = 0", tx, default);
            await conn.ExecuteAsync("UPDATE quota_data SET quota = quota * 2, count = count + 1, token_used = 0 WHERE id % 3 = 0", tx, default);
            await conn.ExecuteAsync("DELETE FROM quota_data WHERE id % 13 = 0", tx, default);
        });
        await ReloadAsync();
        await AssertRollupsExactAsync();
        await AssertMatchesAsync(rnd, 150);
    }

    [Fact]
    public async Task DeletingEveryBucketOfAKey_DropsItFromTheFlow()
    {
        var victim = _rows.First(r => r.UseGroup.Length > 0);
        await _db.WriteAsync((conn, tx) => conn.ExecuteAsync(
            "DELETE FROM quota_data WHERE user_id = $u AND username = $n AND model_name = $m AND use_group = $g AND token_id = $t AND channel_id = $c AND node_name = $o",
            tx, default, ("$u", victim.UserId), ("$n", victim.Username), ("$m", victim.ModelName), ("$g", victim.UseGroup),
            ("$t", victim.TokenId), ("$c", victim.ChannelId), ("$o", victim.NodeName)));
        await ReloadAsync();
        var flow = await _repo.FlowAsync(QuotaFlowScope.Root, T0 - Day, T0 + Span + Day, "", 0);
        Assert.DoesNotContain(flow, r => (r.UserId, r.Username, r.ModelName, r.UseGroup, r.TokenId, r.ChannelId, r.NodeName)
            == (victim.UserId, victim.Username, victim.ModelName, victim.UseGroup, victim.TokenId, victim.ChannelId, victim.NodeName));
        Assert.Equal(ExpectedFlow(QuotaFlowScope.Root, T0 - Day, T0 + Span + Day, ""), flow.Select(Show).ToList());
        await AssertRollupsExactAsync();
    }

    [Theory]
    [InlineData(86400, 172799, 86400, 172800)]            // exactly one day
    [InlineData(86401, 172799, 86401, 86401)]             // a day minus its first second: no whole day
    [InlineData(86400, 172798, 86400, 86400)]             // a day minus its last second: no whole day
    [InlineData(3600, 3 * 86400 + 5, 86400, 3 * 86400)]   // mid-day to mid-day: the two days between
    [InlineData(100, 200, 100, 100)]                      // inside one day
    [InlineData(0, 10 * 86400, 0, 0)]                     // a start of 0 never uses the rollup
    [InlineData(500, 400, 500, 500)]                      // reversed
    public void WholeDays_AreTheDaysInsideTheRange(long start, long end, long from, long to) =>
        Assert.Equal((from, to), QuotaFlowSql.WholeDays(start, end));
}
