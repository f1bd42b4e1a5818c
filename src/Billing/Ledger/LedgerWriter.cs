using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Config;
using NewApi.Storage;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;

namespace NewApi.Billing.Ledger;

/// <summary>
/// The one background writer of billing: drains <see cref="QuotaLedger"/>'s queue and commits a transaction every
/// <c>batch_size</c> operations or <c>batch_interval</c> seconds, whichever comes first (a flush marker commits at
/// once). It keeps running while the web server drains requests at shutdown and completes only after it: the last
/// settlements of a graceful stop are written, not lost.
/// </summary>
/// <remarks>
/// It also brings its consume rows into the log indexes (<see cref="LogIndexer"/>), on its own turn with the write lock:
/// when the queue has been quiet for <see cref="IndexProbe"/> or after a batch, if the CPUs had room since it last looked
/// (<see cref="CpuRoom"/>), and otherwise only the rows beyond <c>relay.log_index_defer_rows</c>, right after each batch.
/// Under a load that fills the CPUs the per-row index work (two thirds of a row's insert cost) waits for the next quiet
/// moment instead of taking CPU from the requests.
/// </remarks>
public sealed class LedgerWriter(QuotaLedger ledger, SqliteDb db, BalanceBook book, OptionsStore options, RelaySection relay,
    ServerSection server, LogIndexer indexer, TimeProvider time, ILogger<LedgerWriter> logger) : BackgroundService, IHostedLifecycleService
{
    private const int CommitAttempts = 3;

    /// <summary>Rows indexed per write transaction (~12 ms of work): a request-path write (a reservation) that arrives while
    /// one runs waits that long at most; optional chunks are not started while one waits.</summary>
    internal const int IndexChunk = 1000;

    /// <summary>How long the queue must stay empty before the writer looks at the CPUs to index pending rows.</summary>
    internal static readonly TimeSpan IndexProbe = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Queued operations that wake the writer to fold them into the batch (its log rows become bytes) well before the
    /// batch commits: the queued objects then die young instead of being copied by every collection until the commit.
    /// </summary>
    internal const int DrainEvery = 256;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not bound to stoppingToken on purpose: the loop ends when the ledger is closed in StoppedAsync.
        var batch = new LedgerBatch();
        var flushed = new List<TaskCompletionSource>();
        var size = Math.Max(1, relay.BatchSize);
        ledger.WakeEvery = Math.Min(size, DrainEvery);
        var interval = TimeSpan.FromSeconds(Math.Max(0.01, relay.BatchInterval));
        var defer = Math.Max(0, relay.LogIndexDeferRows);
        var cpu = new CpuRoom();
        await LoadIndexerAsync();
        var indexing = false;
        while (true)
        {
            if (indexer.Pending > 0 && !await ledger.WaitForWorkAsync(indexing ? TimeSpan.Zero : IndexProbe))
            {
                indexing = HadRoom(cpu, quiet: true) && await IndexAsync(IndexChunk, optional: true);
                continue;
            }
            indexing = false;
            if (!await ledger.WaitForWorkAsync()) break;
            var settings = CurrentSettings();
            var count = await CollectAsync(batch, flushed, settings, size, interval);
            var rows = 0;
            if (count > 0 && !batch.IsEmpty && await CommitAsync(batch, count))
            {
                rows = batch.LogCount;
                if (batch.LastLogId > 0) indexer.Wrote(batch.LastLogId);
            }
            batch.Clear();
            // Rows beyond the allowed backlog are indexed with their batch (a flush waits for that part, not for the rest).
            if (indexer.Pending > defer) await IndexAsync(indexer.Pending - defer, optional: false);
            foreach (var f in flushed) f.TrySetResult();
            flushed.Clear();
            if (rows > 0 && indexer.Pending > 0 && HadRoom(cpu, quiet: false)) await IndexAsync(Math.Max(IndexChunk, 2L * rows), optional: true);
        }
    }

    /// <summary>Replaces the /proc/stat reading (tests).</summary>
    internal Func<bool>? RoomProbe { get; set; }

    /// <summary>Whether the CPUs had room since the last look; where /proc/stat cannot be read, a queue that stayed
    /// <paramref name="quiet"/> is the only sign.</summary>
    private bool HadRoom(CpuRoom cpu, bool quiet) => RoomProbe is { } probe ? probe() : cpu.HadRoom() || (quiet && !cpu.Measures);

    private async Task LoadIndexerAsync()
    {
        try
        {
            await using var conn = await db.OpenAsync(CancellationToken.None);
            await indexer.LoadAsync(conn, CancellationToken.None);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // Billing must run regardless: the indexer starts from the first row (chunks over indexed rows change nothing).
            BillingLog.IndexFailed(logger, e);
        }
    }

    /// <summary>
    /// Indexes up to <paramref name="max"/> pending log rows, a chunk per transaction; false when nothing was done. An
    /// <paramref name="optional"/> pass stops before a chunk while another write (a reservation on a request's path) waits.
    /// </summary>
    private async Task<bool> IndexAsync(long max, bool optional)
    {
        var done = false;
        try
        {
            while (max > 0 && indexer.Pending > 0 && !(optional && db.WritersWaiting > 0))
            {
                var n = Math.Min(max, IndexChunk);
                var to = await db.WriteAsync((conn, tx) => indexer.IndexAsync(conn, tx, n, CancellationToken.None));
                indexer.Advanced(to);
                max -= n;
                done = true;
            }
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // The rows stay readable (through the rowid) and the next pass retries them.
            BillingLog.IndexFailed(logger, e);
        }
        return done;
    }

    private LedgerBatch.Settings CurrentSettings()
    {
        var o = options.Current;
        return new LedgerBatch.Settings(o.Get("LogConsumeEnabled", "true") == "true", o.Get("DataExportEnabled", "true") == "true", server.NodeName);
    }

    /// <summary>
    /// Takes up to <paramref name="size"/> operations (and at most <see cref="QuotaLedger.ReservationsPerBatch"/> that free a
    /// reservation), waiting at most <paramref name="interval"/> from the start for the batch to fill; a flush marker ends
    /// the batch at once. Sleeps on the ledger's batch signal, not per queued item.
    /// </summary>
    private async Task<int> CollectAsync(LedgerBatch batch,
        List<TaskCompletionSource> flushed, LedgerBatch.Settings settings, int size, TimeSpan interval)
    {
        var count = 0;
        var reservations = 0;
        var started = time.GetTimestamp();
        while (count < size && reservations < QuotaLedger.ReservationsPerBatch)
        {
            if (ledger.TryTake(out var op))
            {
                count++;
                if (op.FreesReservation) reservations++;
                if (op.Settlement is { } s) batch.AddSettlement(s, settings);
                else if (op.Release is { } h) batch.AddRelease(h);
                else if (op.Flushed is { } f) { flushed.Add(f); break; }
                continue;
            }
            if (ledger.IsCompleted) break;
            var left = interval - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) break;
            await ledger.WaitForBatchAsync(left);
        }
        return count;
    }

    private async Task<bool> CommitAsync(LedgerBatch batch, int count)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var now = time.UnixSeconds();
                var (seq, balances) = await db.WriteAsync(async (conn, tx) =>
                {
                    var s = book.NextSequence();
                    return (s, await batch.CommitAsync(conn, tx, now, server.NodeName, CancellationToken.None));
                });
                foreach (var (id, quota) in balances.Users) book.PublishUser(id, quota, seq);
                foreach (var (id, remain) in balances.Tokens) book.PublishToken(id, remain, seq);
                return true;
            }
            catch (Microsoft.Data.Sqlite.SqliteException e) when (attempt < CommitAttempts)
            {
                BillingLog.BatchRetry(logger, e, count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time);
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                // Reservations stay in the table and are refunded at the next start: the caller is never charged twice.
                BillingLog.BatchLost(logger, e, count);
                return false;
            }
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every hosted service stopped (the web server has drained): write what is queued, then end.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        ledger.Complete();
        if (ExecuteTask is { } running) await running;
    }
}
