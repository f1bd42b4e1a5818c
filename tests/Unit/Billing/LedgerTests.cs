using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NewApi.Billing.Ledger;
using NewApi.Billing.Prices;
using NewApi.Common;
using NewApi.Config;
using NewApi.Storage;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;

namespace NewApi.Tests.Unit.Billing;

/// <summary>The ledger against a real migrated SQLite file: hold, settle, release, crash recovery.</summary>
public sealed class LedgerTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-ledger-");
    private SqliteDb _db = null!;
    private OptionsStore _options = null!;
    private BalanceBook _book = null!;
    private QuotaLedger _ledger = null!;
    private LedgerWriter _writer = null!;

    public async ValueTask InitializeAsync()
    {
        _db = new SqliteDb(Path.Combine(_dir.FullName, "l.db"));
        await new Migrator(_db).MigrateAsync(TimeProvider.System);
        _options = new OptionsStore(_db);
        await _options.ReloadAsync();
        _book = new BalanceBook();
        _ledger = new QuotaLedger(_db, _book, new PriceBook(_options), TimeProvider.System);
        _writer = new LedgerWriter(_ledger, _db, _book, _options, new RelaySection { BatchInterval = 0.05 }, new ServerSection { NodeName = "n1" },
            new LogIndexer(), TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        await _writer.StartAsync(CancellationToken.None);
        await _db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("INSERT INTO users(id, username, quota) VALUES (1, 'u1', 10000)", tx, default);
            await c.ExecuteAsync("INSERT INTO tokens(id, user_id, \"key\", remain_quota) VALUES (7, 1, 'h', 5000)", tx, default);
            await c.ExecuteAsync("INSERT INTO channels(id, name) VALUES (3, 'c')", tx, default);
        });
        _book.SeedUser(1, 10000, 0);
        _book.SeedToken(7, 5000, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.StoppedAsync(CancellationToken.None);
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Delete(true);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var c = await _db.OpenAsync();
        return await c.ScalarLongAsync(sql, null, default);
    }

    private static LogRow Log(long quota) => new()
    {
        UserId = 1, Username = "u1", Type = LogType.Consume, ModelName = "m", Quota = quota, PromptTokens = 10, CompletionTokens = 5, TokenId = 7,
        ChannelId = 3, Group = "default", CreatedAt = 7200 + 5, Other = "{}",
    };

    [Fact]
    public async Task Hold_ReservesOnTokenAndUser_SettleChargesTheDifference()
    {
        var outcome = await _ledger.HoldAsync(new HoldRequest { RequestId = "r1", UserId = 1, TokenId = 7, Amount = 1000 }, default);
        Assert.Equal(HoldStatus.Held, outcome.Status);
        Assert.Equal(9000, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(4000, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
        Assert.True(_book.TryGetUserQuota(1, out var cached) && cached == 9000);

        await _ledger.SettleAsync(new Settlement(outcome.Hold!, 300, 3, Log(300)));
        await _ledger.FlushAsync();
        Assert.Equal(9700, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(300, await ScalarAsync("SELECT used_quota FROM users WHERE id = 1"));
        Assert.Equal(1, await ScalarAsync("SELECT request_count FROM users WHERE id = 1"));
        Assert.Equal(4700, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(300, await ScalarAsync("SELECT used_quota FROM tokens WHERE id = 7"));
        Assert.Equal(300, await ScalarAsync("SELECT used_quota FROM channels WHERE id = 3"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE quota = 300 AND type = 2"));
        Assert.Equal(15, await ScalarAsync("SELECT token_used FROM quota_data WHERE created_at = 7200 AND node_name = 'n1'"));
        Assert.True(_book.TryGetUserQuota(1, out cached) && cached == 9700);
    }

    /// <summary>
    /// Until its batch commits, a settled reservation still counts against the caller's published balance: a batch that
    /// frees <see cref="QuotaLedger.ReservationsPerBatch"/> of them commits at once, not after its interval or 4000
    /// operations (with those alone, a $5 balance was refused at 10,000 requests/s while most of it was unspent).
    /// </summary>
    [Fact]
    public async Task ABatchThatFreesEnoughReservations_CommitsWithoutWaitingForItsInterval()
    {
        var ledger = new QuotaLedger(_db, _book, new PriceBook(_options), TimeProvider.System);
        var writer = new LedgerWriter(ledger, _db, _book, _options, new RelaySection { BatchInterval = 60 }, new ServerSection { NodeName = "n1" },
            new LogIndexer(), TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            var holds = new List<Hold>();
            for (var i = 0; i < QuotaLedger.ReservationsPerBatch; i++)
                holds.Add((await ledger.HoldAsync(new HoldRequest { RequestId = $"b{i}", UserId = 1, TokenId = 7, Amount = 2 }, default)).Hold!);
            Assert.Equal(QuotaLedger.ReservationsPerBatch, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
            foreach (var hold in holds) await ledger.SettleAsync(new Settlement(hold, 1, 3, Log(1)));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (await ScalarAsync("SELECT COUNT(*) FROM quota_reservations") > 0)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the batch waited for its 60-s interval");
                await Task.Delay(20);
            }
            Assert.Equal(10000 - QuotaLedger.ReservationsPerBatch, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        }
        finally
        {
            await writer.StoppedAsync(CancellationToken.None);
        }
    }

    /// <summary>Runs <paramref name="body"/> against a ledger whose own writer has the given log-index settings, then stops it.</summary>
    private async Task WithWriterAsync(int deferRows, Func<bool> room, Func<QuotaLedger, Task> body)
    {
        var ledger = new QuotaLedger(_db, _book, new PriceBook(_options), TimeProvider.System);
        var writer = new LedgerWriter(ledger, _db, _book, _options, new RelaySection { BatchInterval = 60, LogIndexDeferRows = deferRows },
            new ServerSection { NodeName = "n1" }, new LogIndexer(), TimeProvider.System, NullLogger<LedgerWriter>.Instance) { RoomProbe = room };
        await writer.StartAsync(CancellationToken.None);
        try
        {
            await body(ledger);
        }
        finally
        {
            await writer.StoppedAsync(CancellationToken.None);
        }
    }

    private static async Task SettleAsync(QuotaLedger ledger, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var hold = (await ledger.HoldAsync(new HoldRequest { RequestId = $"ix{i}", UserId = 1, TokenId = 7, Amount = 1 }, default)).Hold!;
            await ledger.SettleAsync(new Settlement(hold, 1, 3, Log(1)));
        }
        await ledger.FlushAsync();
    }

    private Task<long> IndexedRowsAsync() =>
        ScalarAsync("SELECT COUNT(*) FROM logs INDEXED BY idx_logs_user_id_created WHERE pending = 0 AND user_id = 1");

    /// <summary>
    /// The writer's consume rows wait outside the log indexes while the CPUs have no room, except those beyond
    /// relay.log_index_defer_rows, which are indexed (oldest first) before the batch's flush completes; once the CPUs
    /// have room the rest are indexed too, and the stored position follows.
    /// </summary>
    [Fact]
    public async Task LogRows_BeyondTheDeferLimit_AreIndexedWithTheirBatch_TheRestOnceTheCpusHaveRoom()
    {
        var room = 0;
        await WithWriterAsync(5, () => Volatile.Read(ref room) == 1, async ledger =>
        {
            await SettleAsync(ledger, 12);
            Assert.Equal(12, await ScalarAsync("SELECT COUNT(*) FROM logs"));
            Assert.Equal(5, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1"));
            Assert.Equal(7, await IndexedRowsAsync());
            Assert.Equal(await ScalarAsync("SELECT max(id) FROM logs") - 4, await ScalarAsync("SELECT pending_from FROM log_index_state"));
            Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1 AND id < (SELECT pending_from FROM log_index_state)"));

            Volatile.Write(ref room, 1);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1") > 0)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "pending rows were not indexed once the CPUs had room");
                await Task.Delay(20);
            }
            Assert.Equal(12, await IndexedRowsAsync());
            Assert.Equal(await ScalarAsync("SELECT max(id) FROM logs") + 1, await ScalarAsync("SELECT pending_from FROM log_index_state"));
        });
    }

    [Fact]
    public async Task LogRows_WithADeferLimitOfZero_AreIndexedBeforeTheFlushCompletes()
    {
        await WithWriterAsync(0, () => false, async ledger =>
        {
            await SettleAsync(ledger, 3);
            Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1"));
            Assert.Equal(3, await IndexedRowsAsync());
            Assert.Equal(await ScalarAsync("SELECT max(id) FROM logs") + 1, await ScalarAsync("SELECT pending_from FROM log_index_state"));
        });
    }

    /// <summary>The indexer's stored position removed by hand: billing goes on, the rows are read and indexed, the row comes back.</summary>
    [Fact]
    public async Task LogRows_WithoutTheStoredIndexPosition_AreStillReadAndIndexed()
    {
        await _db.WriteAsync((c, tx) => c.ExecuteAsync("DELETE FROM log_index_state", tx, default));
        await WithWriterAsync(0, () => false, async ledger =>
        {
            await SettleAsync(ledger, 2);
            Assert.Equal(2, (await new LogQueryRepository(_db).LatestForTokenAsync(7, 10)).Count);
            Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM logs WHERE pending = 1"));
            Assert.Equal(await ScalarAsync("SELECT max(id) FROM logs") + 1, await ScalarAsync("SELECT pending_from FROM log_index_state"));
        });
    }

    [Fact]
    public async Task Release_ReturnsTheHold_WithoutCountersOrLogs()
    {
        var outcome = await _ledger.HoldAsync(new HoldRequest { RequestId = "r2", UserId = 1, TokenId = 7, Amount = 2000 }, default);
        await _ledger.ReleaseAsync(outcome.Hold!);
        await _ledger.FlushAsync();
        Assert.Equal(10000, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(5000, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(0, await ScalarAsync("SELECT request_count FROM users WHERE id = 1"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM logs"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
    }

    [Fact]
    public async Task Hold_RefusesWhatTheBalancesCannotCover()
    {
        Assert.Equal(HoldStatus.UserInsufficient, (await _ledger.HoldAsync(new HoldRequest { RequestId = "a", UserId = 1, TokenId = 7, Amount = 20000 }, default)).Status);
        Assert.Equal(HoldStatus.TokenInsufficient, (await _ledger.HoldAsync(new HoldRequest { RequestId = "b", UserId = 1, TokenId = 7, Amount = 6000 }, default)).Status);
        Assert.Equal(10000, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(5000, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
    }

    [Fact]
    public async Task ConcurrentHolds_ShareCommits_AndNeverOverdraw()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => _ledger.HoldAsync(new HoldRequest { RequestId = $"c{i}", UserId = 1, TokenId = 7, Amount = 300 }, default))));
        Assert.Equal(16, outcomes.Count(o => o.Status == HoldStatus.Held));   // 16 × 300 fit in the key's 5 000
        Assert.Equal(24, outcomes.Count(o => o.Status == HoldStatus.TokenInsufficient));
        Assert.Equal(200, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(5200, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(16, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
        Assert.Equal(16, outcomes.Where(o => o.Hold is not null).Select(o => o.Hold!.ReservationId).Distinct().Count());
        Assert.True(_book.TryGetTokenRemain(7, out var remain) && remain == 200);
    }

    [Fact]
    public async Task CallerGoneWhileItsHoldWaits_GetsNothingReserved()
    {
        var writerBusy = new TaskCompletionSource();
        var inside = new TaskCompletionSource();
        var blocker = _db.WriteAsync(async (_, _) => { inside.SetResult(); await writerBusy.Task; });
        await inside.Task;
        using var gone = new CancellationTokenSource();
        var hold = _ledger.HoldAsync(new HoldRequest { RequestId = "gone", UserId = 1, TokenId = 7, Amount = 700 }, gone.Token);
        gone.Cancel();                  // the client leaves while the hold waits for the writer
        writerBusy.SetResult();
        await blocker;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hold);
        await _ledger.FlushAsync();     // the hold that was written anyway has been given back
        Assert.Equal(10000, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(5000, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
    }

    [Fact]
    public async Task TrustedBalances_ReserveNothing_SettleChargesInFull()
    {
        await _db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET quota = 9000000 WHERE id = 1", tx, default));
        _book.ForgetUser(1);
        _book.SeedUser(1, 9_000_000, _book.CurrentSequence);
        var outcome = await _ledger.HoldAsync(new HoldRequest { RequestId = "t", UserId = 1, TokenId = 7, TokenUnlimited = true, Amount = 1000 }, default);
        Assert.Equal(HoldStatus.Trusted, outcome.Status);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
        await _ledger.SettleAsync(new Settlement(outcome.Hold!, 250, 3, Log(250)));
        await _ledger.FlushAsync();
        Assert.Equal(9_000_000 - 250, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(5000, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));   // unlimited token: remain untouched
        Assert.Equal(250, await ScalarAsync("SELECT used_quota FROM tokens WHERE id = 7"));
    }

    [Fact]
    public async Task LogConsumeDisabled_SkipsRows_ButStillCharges()
    {
        await _options.SetAsync("LogConsumeEnabled", "false");
        var outcome = await _ledger.HoldAsync(new HoldRequest { RequestId = "n", UserId = 1, TokenId = 7, Amount = 100 }, default);
        await _ledger.SettleAsync(new Settlement(outcome.Hold!, 100, 3, Log(100)));
        await _ledger.FlushAsync();
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM logs"));
        Assert.Equal(9900, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
    }

    [Fact]
    public async Task Recovery_RefundsReservationsLeftByACrash()
    {
        await _ledger.HoldAsync(new HoldRequest { RequestId = "crash", UserId = 1, TokenId = 7, Amount = 1500 }, default);
        Assert.Equal(8500, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        var recovery = new ReservationRecovery(_db, NullLogger<ReservationRecovery>.Instance);
        await recovery.RunAsync(default);
        Assert.Equal(10000, await ScalarAsync("SELECT quota FROM users WHERE id = 1"));
        Assert.Equal(5000, await ScalarAsync("SELECT remain_quota FROM tokens WHERE id = 7"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
    }
}
