using System.Threading.Channels;
using NewApi.Billing.Prices;
using NewApi.Common;
using NewApi.Storage;

namespace NewApi.Billing.Ledger;

/// <summary>
/// Reserve → settle-or-release for every relayed request. <see cref="HoldAsync"/> runs inline (it must be able to
/// refuse) as one conditional UPDATE transaction that also records the reservation; <see cref="SettleAsync"/> and
/// <see cref="ReleaseAsync"/> are queued for <see cref="LedgerWriter"/>, which commits counters, consume logs,
/// quota_data and the removal of the settled reservations together, batch by batch.
/// </summary>
public sealed class QuotaLedger(SqliteDb db, BalanceBook book, PriceBook prices, TimeProvider time)
{
    private const int QueueCapacity = 16_384;

    private readonly Channel<LedgerOp> _queue = Channel.CreateBounded<LedgerOp>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // The writer is not woken per queued item (at thousands of settlements a second that was one thread-pool hop
    // each): it sleeps until a batch is full, a flush is asked for, or its batch interval ends.
    private readonly SemaphoreSlim _wake = new(0);
    private int _queued;

    internal ChannelReader<LedgerOp> Reader => _queue.Reader;

    /// <summary>Queued operations that wake the writer before its interval ends (its batch size).</summary>
    internal int WakeEvery { get; set; } = 500;

    /// <summary>The writer took <paramref name="n"/> operations off the queue.</summary>
    internal void Taken(int n) => Interlocked.Add(ref _queued, -n);

    /// <summary>Waits until a batch is full, a flush or shutdown is asked for, or <paramref name="timeout"/> passes.</summary>
    internal Task<bool> WaitForBatchAsync(TimeSpan timeout) => _wake.WaitAsync(timeout);

    private void Queued(bool urgent)
    {
        if (Interlocked.Increment(ref _queued) % Math.Max(1, WakeEvery) == 0 || urgent) _wake.Release();
    }

    private ValueTask EnqueueAsync(LedgerOp op, bool urgent, CancellationToken ct)
    {
        if (_queue.Writer.TryWrite(op))
        {
            Queued(urgent);
            return ValueTask.CompletedTask;
        }
        return EnqueueSlowAsync(op, urgent, ct);
    }

    private async ValueTask EnqueueSlowAsync(LedgerOp op, bool urgent, CancellationToken ct)
    {
        await _queue.Writer.WriteAsync(op, ct);
        Queued(urgent);
    }

    /// <summary>Users and tokens above this balance are trusted: nothing is reserved for them (New API: 10 × QuotaPerUnit).</summary>
    public long TrustThreshold => (long)(10 * prices.Current.QuotaPerUnit);

    /// <summary>
    /// Reserves <see cref="HoldRequest.Amount"/>. The caller has seeded <see cref="BalanceBook"/> for the user and
    /// token (its caches do on load), so the checks that come before any write read memory.
    /// </summary>
    public async Task<HoldOutcome> HoldAsync(HoldRequest r, CancellationToken ct)
    {
        book.TryGetUserQuota(r.UserId, out var userQuota);
        if (userQuota <= 0) return new HoldOutcome(HoldStatus.UserExhausted, null, userQuota);
        if (userQuota - r.Amount < 0) return new HoldOutcome(HoldStatus.UserInsufficient, null, userQuota);
        var tracked = r.TokenId != 0 && !r.TokenUnlimited;
        var tokenRemain = 0L;
        if (tracked) book.TryGetTokenRemain(r.TokenId, out tokenRemain);
        var trust = TrustThreshold;
        if ((!tracked || tokenRemain > trust) && userQuota > trust)
            return new HoldOutcome(HoldStatus.Trusted, new Hold(0, r.UserId, r.TokenId, tracked, 0), userQuota);
        if (r.Amount <= 0) return new HoldOutcome(HoldStatus.Held, new Hold(0, r.UserId, r.TokenId, tracked, 0), userQuota);
        return await ReserveAsync(r, tracked, userQuota, ct);
    }

    // Reservations are group-committed: every hold waiting when the reserver is free goes into ONE write transaction
    // (each with its own conditional updates, as before), so concurrent callers below the trust threshold share a
    // commit instead of queueing for one transaction each.
    private readonly Channel<PendingHold> _holds = Channel.CreateUnbounded<PendingHold>(new UnboundedChannelOptions { SingleReader = true });
    private int _reserverRunning;
    private const int MaxHoldsPerCommit = 256;

    private sealed record PendingHold(HoldRequest Request, bool Tracked, long UserQuota, CancellationToken Ct)
    {
        public TaskCompletionSource<HoldOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task<HoldOutcome> ReserveAsync(HoldRequest r, bool tracked, long userQuota, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new PendingHold(r, tracked, userQuota, ct);
        _holds.Writer.TryWrite(pending);
        if (Interlocked.CompareExchange(ref _reserverRunning, 1, 0) == 0) _ = Task.Run(ReserveLoopAsync, CancellationToken.None);
        return await pending.Done.Task;
    }

    /// <summary>Drains waiting holds into shared transactions; exits when none is left (restarted by the next hold).</summary>
    private async Task ReserveLoopAsync()
    {
        var batch = new List<PendingHold>(MaxHoldsPerCommit);
        while (true)
        {
            while (batch.Count < MaxHoldsPerCommit && _holds.Reader.TryRead(out var p)) batch.Add(p);
            if (batch.Count == 0)
            {
                Volatile.Write(ref _reserverRunning, 0);
                // A hold queued between the last TryRead and the flag reset would otherwise wait for the next one.
                if (!_holds.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _reserverRunning, 1, 0) != 0) return;
                continue;
            }
            await CommitHoldsAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitHoldsAsync(List<PendingHold> batch)
    {
        var now = time.UnixSeconds();
        var results = new (HoldStatus Status, long Reservation, long Quota, long? Remain, long Seq)[batch.Count];
        try
        {
            await db.WriteAsync(async (conn, tx) =>
            {
                for (var i = 0; i < batch.Count; i++) results[i] = await ReserveOneAsync(conn, tx, batch[i], now);
            });
        }
        catch (Exception e)
        {
            foreach (var p in batch) p.Done.TrySetException(e);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            var (p, (status, reservation, newQuota, newRemain, sequence)) = (batch[i], results[i]);
            var r = p.Request;
            if (status != HoldStatus.Held)
            {
                p.Done.TrySetResult(new HoldOutcome(status, null, newQuota));
                continue;
            }
            book.PublishUser(r.UserId, newQuota, sequence);
            if (newRemain is { } rem) book.PublishToken(r.TokenId, rem, sequence);
            var hold = new Hold(reservation, r.UserId, r.TokenId, p.Tracked, r.Amount);
            if (!p.Ct.IsCancellationRequested)
            {
                p.Done.TrySetResult(new HoldOutcome(HoldStatus.Held, hold, newQuota));
                continue;
            }
            try
            {
                // The caller left while its hold was being written: give it back, as a failed request would.
                await ReleaseAsync(hold);
                p.Done.TrySetCanceled(p.Ct);
            }
            catch (Exception e)
            {
                // Only when the ledger is already closed (shutdown): the reservation row stays and is refunded at the
                // next start. The reserver itself must keep running.
                p.Done.TrySetException(e);
            }
        }
    }

    private async Task<(HoldStatus, long, long, long?, long)> ReserveOneAsync(Microsoft.Data.Sqlite.SqliteConnection conn,
        Microsoft.Data.Sqlite.SqliteTransaction tx, PendingHold p, long now)
    {
        var r = p.Request;
        var seq = book.NextSequence();
        long? remain = null;
        if (p.Tracked)
        {
            remain = await conn.ScalarNullableLongAsync(LedgerSql.HoldToken, tx, CancellationToken.None, ("$a", r.Amount), ("$id", r.TokenId), ("$now", now));
            if (remain is null) return (HoldStatus.TokenInsufficient, 0L, p.UserQuota, remain, seq);
        }
        var quota = await conn.ScalarNullableLongAsync(LedgerSql.HoldUser, tx, CancellationToken.None, ("$a", r.Amount), ("$id", r.UserId));
        if (quota is null)
        {
            if (p.Tracked) await conn.ExecuteAsync(LedgerSql.UndoHoldToken, tx, CancellationToken.None, ("$a", r.Amount), ("$id", r.TokenId));
            return (HoldStatus.UserInsufficient, 0L, p.UserQuota, null, seq);
        }
        await conn.ExecuteAsync(LedgerSql.InsertReservation, tx, CancellationToken.None, ("$rid", r.RequestId), ("$u", r.UserId), ("$t", r.TokenId),
            ("$a", r.Amount), ("$tu", !p.Tracked), ("$now", now));
        return (HoldStatus.Held, await conn.LastInsertIdAsync(tx, CancellationToken.None), quota.Value, remain, seq);
    }

    /// <summary>Queues the final charge. Waits only when the queue is full (back-pressure, never loss).</summary>
    public ValueTask SettleAsync(Settlement settlement) => EnqueueAsync(new LedgerOp(settlement), false, CancellationToken.None);

    /// <summary>Queues the return of a hold whose request failed. A hold without a reservation needs nothing.</summary>
    public ValueTask ReleaseAsync(Hold hold) =>
        hold.Amount == 0 && !hold.Reserved ? ValueTask.CompletedTask : EnqueueAsync(new LedgerOp(hold), false, CancellationToken.None);

    /// <summary>Completes when everything queued before the call is committed.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new LedgerOp(done), true, ct);
        await done.Task.WaitAsync(ct);
    }

    internal void Complete()
    {
        _queue.Writer.TryComplete();
        _wake.Release();
    }
}

/// <summary>One queued ledger operation: a settlement, a release, or a flush marker.</summary>
internal sealed class LedgerOp
{
    public LedgerOp(Settlement s) => Settlement = s;
    public LedgerOp(Hold h) => Release = h;
    public LedgerOp(TaskCompletionSource flushed) => Flushed = flushed;

    public Settlement? Settlement { get; }
    public Hold? Release { get; }
    public TaskCompletionSource? Flushed { get; }
}
