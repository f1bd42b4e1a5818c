using System.Collections.Concurrent;
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

    // A plain concurrent queue, not a Channel: both Channel kinds take a lock on every write, and at thousands of
    // settlements a second the relay threads and the writer contended for it. The writer is not woken per queued item
    // either: once awake it sleeps until a batch is full, a flush is asked for, or its batch interval ends.
    private readonly ConcurrentQueue<LedgerOp> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _space = new(0);
    private int _queued;
    private int _reservationsQueued;
    private int _writerIdle;
    private int _spaceWaiters;
    private volatile bool _completed;

    /// <summary>Queued operations that wake the writer before its interval ends (<see cref="LedgerWriter.DrainEvery"/>).</summary>
    internal int WakeEvery { get; set; } = 4000;

    /// <summary>
    /// Operations that free a reservation end a batch sooner: until their batch commits, the caller's published balance
    /// still counts the reservation, so a user below the trust threshold under heavy load would see up to a whole batch of
    /// reservations as spent (with 4000-operation batches, a $5 balance was refused at 10,000 requests/s).
    /// </summary>
    internal const int ReservationsPerBatch = 500;

    /// <summary>Closed (shutdown) and every queued operation taken.</summary>
    internal bool IsCompleted => _completed;

    /// <summary>The writer's take; frees room for a caller held back by a full queue.</summary>
    internal bool TryTake([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out LedgerOp op)
    {
        if (!_queue.TryDequeue(out op)) return false;
        Interlocked.Decrement(ref _queued);
        if (op.FreesReservation) Interlocked.Decrement(ref _reservationsQueued);
        if (Volatile.Read(ref _spaceWaiters) > 0) _space.Release();
        return true;
    }

    /// <summary>Waits until something is queued; false once the ledger is closed and nothing is left.</summary>
    internal async Task<bool> WaitForWorkAsync()
    {
        while (true)
        {
            if (!_queue.IsEmpty) return true;
            if (_completed) return false;
            // Announce the sleep, then look again: a writer of the queue either sees the flag (and wakes us) or its
            // item is already visible here (both sides use full fences).
            Interlocked.Exchange(ref _writerIdle, 1);
            if (!_queue.IsEmpty || _completed)
            {
                Interlocked.Exchange(ref _writerIdle, 0);
                continue;
            }
            await _wake.WaitAsync();
        }
    }

    /// <summary>Waits until something is queued (or the ledger is closed), at most <paramref name="timeout"/>; false when the
    /// time passed with nothing queued.</summary>
    internal async Task<bool> WaitForWorkAsync(TimeSpan timeout)
    {
        if (!_queue.IsEmpty || _completed) return true;
        Interlocked.Exchange(ref _writerIdle, 1);
        if (!_queue.IsEmpty || _completed)
        {
            Interlocked.Exchange(ref _writerIdle, 0);
            return true;
        }
        // A writer of the queue that took the flag in the meantime has released the semaphore: one early wake-up later.
        await _wake.WaitAsync(timeout);
        Interlocked.Exchange(ref _writerIdle, 0);
        return !_queue.IsEmpty || _completed;
    }

    /// <summary>Waits until a batch is full, a flush or shutdown is asked for, or <paramref name="timeout"/> passes.</summary>
    internal Task<bool> WaitForBatchAsync(TimeSpan timeout) => _wake.WaitAsync(timeout);

    private ValueTask EnqueueAsync(LedgerOp op, bool urgent, CancellationToken ct)
    {
        if (Volatile.Read(ref _queued) < QueueCapacity || _completed)
        {
            Enqueue(op, urgent);
            return ValueTask.CompletedTask;
        }
        return EnqueueSlowAsync(op, urgent, ct);
    }

    /// <summary>Back-pressure, never loss: a full queue holds the caller back until the writer has taken some.</summary>
    private async ValueTask EnqueueSlowAsync(LedgerOp op, bool urgent, CancellationToken ct)
    {
        Interlocked.Increment(ref _spaceWaiters);
        try
        {
            while (Volatile.Read(ref _queued) >= QueueCapacity && !_completed) await _space.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _spaceWaiters);
        }
        Enqueue(op, urgent);
    }

    private void Enqueue(LedgerOp op, bool urgent)
    {
        if (_completed) throw new InvalidOperationException("the quota ledger is closed");
        _queue.Enqueue(op);
        var n = Interlocked.Increment(ref _queued);
        var fullOfReservations = op.FreesReservation && Interlocked.Increment(ref _reservationsQueued) % ReservationsPerBatch == 0;
        if (Interlocked.Exchange(ref _writerIdle, 0) == 1 || urgent || fullOfReservations || n % Math.Max(1, WakeEvery) == 0) _wake.Release();
    }

    /// <summary>Users and tokens above this balance are trusted: nothing is reserved for them (New API: 10 × QuotaPerUnit).</summary>
    public long TrustThreshold => (long)(10 * prices.Current.QuotaPerUnit);

    /// <summary>
    /// Reserves <see cref="HoldRequest.Amount"/>. The caller has seeded <see cref="BalanceBook"/> for the user and
    /// token (its caches do on load), so the checks that come before any write read memory.
    /// </summary>
    /// <summary>
    /// The outcome <see cref="HoldAsync"/> gives a trusted caller for <paramref name="r"/>'s amount, without waiting;
    /// null when it would check or reserve instead. With an upper bound of the amount, a yes holds for every smaller
    /// amount too (so the caller may skip computing the exact one).
    /// </summary>
    public HoldOutcome? TryTrust(HoldRequest r)
    {
        var (early, userQuota, tracked, trusted) = Assess(r);
        return early is null && trusted ? new HoldOutcome(HoldStatus.Trusted, new Hold(0, r.UserId, r.TokenId, tracked, 0), userQuota) : null;
    }

    public async Task<HoldOutcome> HoldAsync(HoldRequest r, CancellationToken ct)
    {
        var (early, userQuota, tracked, trusted) = Assess(r);
        if (early is { } refused) return new HoldOutcome(refused, null, userQuota);
        if (trusted) return new HoldOutcome(HoldStatus.Trusted, new Hold(0, r.UserId, r.TokenId, tracked, 0), userQuota);
        if (r.Amount <= 0) return new HoldOutcome(HoldStatus.Held, new Hold(0, r.UserId, r.TokenId, tracked, 0), userQuota);
        return await ReserveAsync(r, tracked, userQuota, ct);
    }

    /// <summary>The in-memory checks before any write: a refusal, or whether the caller is trusted for this amount.</summary>
    private (HoldStatus? Refused, long UserQuota, bool Tracked, bool Trusted) Assess(HoldRequest r)
    {
        book.TryGetUserQuota(r.UserId, out var userQuota);
        var tracked = r.TokenId != 0 && !r.TokenUnlimited;
        if (userQuota <= 0) return (HoldStatus.UserExhausted, userQuota, tracked, false);
        if (userQuota - r.Amount < 0) return (HoldStatus.UserInsufficient, userQuota, tracked, false);
        var tokenRemain = 0L;
        if (tracked) book.TryGetTokenRemain(r.TokenId, out tokenRemain);
        var trust = TrustThreshold;
        return (null, userQuota, tracked, (!tracked || tokenRemain > trust) && userQuota > trust);
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
        _completed = true;
        _wake.Release();
        _space.Release();
    }
}

/// <summary>One queued ledger operation: a settlement, a release, or a flush marker.</summary>
internal sealed class LedgerOp
{
    public LedgerOp(Settlement s)
    {
        Settlement = s;
        FreesReservation = Frees(s.Hold);
    }

    public LedgerOp(Hold h)
    {
        Release = h;
        FreesReservation = Frees(h);
    }

    private static bool Frees(Hold h) => h.Reserved || h.Amount > 0;

    public LedgerOp(TaskCompletionSource flushed) => Flushed = flushed;

    /// <summary>Settles or releases a reserved amount (see <see cref="QuotaLedger.ReservationsPerBatch"/>).</summary>
    public bool FreesReservation { get; }

    public Settlement? Settlement { get; }
    public Hold? Release { get; }
    public TaskCompletionSource? Flushed { get; }
}
