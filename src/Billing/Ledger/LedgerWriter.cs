using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Config;
using NewApi.Storage;
using NewApi.Storage.Options;

namespace NewApi.Billing.Ledger;

/// <summary>
/// The one background writer of billing: drains <see cref="QuotaLedger"/>'s queue and commits a transaction every
/// <c>batch_size</c> operations or <c>batch_interval</c> seconds, whichever comes first (a flush marker commits at
/// once). It keeps running while the web server drains requests at shutdown and completes only after it: the last
/// settlements of a graceful stop are written, not lost.
/// </summary>
public sealed class LedgerWriter(QuotaLedger ledger, SqliteDb db, BalanceBook book, OptionsStore options, RelaySection relay,
    ServerSection server, TimeProvider time, ILogger<LedgerWriter> logger) : BackgroundService, IHostedLifecycleService
{
    private const int CommitAttempts = 3;

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
        while (await ledger.WaitForWorkAsync())
        {
            var settings = CurrentSettings();
            var count = await CollectAsync(batch, flushed, settings, size, interval);
            if (count > 0 && !batch.IsEmpty) await CommitAsync(batch, count);
            batch.Clear();
            foreach (var f in flushed) f.TrySetResult();
            flushed.Clear();
        }
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

    private async Task CommitAsync(LedgerBatch batch, int count)
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
                return;
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
                return;
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
