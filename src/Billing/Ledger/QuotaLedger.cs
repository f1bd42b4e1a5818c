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

    private async Task<HoldOutcome> ReserveAsync(HoldRequest r, bool tracked, long userQuota, CancellationToken ct)
    {
        var now = time.UnixSeconds();
        var result = await db.WriteAsync(async (conn, tx) =>
        {
            var seq = book.NextSequence();
            long? remain = null;
            if (tracked)
            {
                remain = await conn.ScalarNullableLongAsync(LedgerSql.HoldToken, tx, ct, ("$a", r.Amount), ("$id", r.TokenId), ("$now", now));
                if (remain is null) return (HoldStatus.TokenInsufficient, 0L, userQuota, remain, seq);
            }
            var quota = await conn.ScalarNullableLongAsync(LedgerSql.HoldUser, tx, ct, ("$a", r.Amount), ("$id", r.UserId));
            if (quota is null)
            {
                if (tracked) await conn.ExecuteAsync(LedgerSql.UndoHoldToken, tx, ct, ("$a", r.Amount), ("$id", r.TokenId));
                return (HoldStatus.UserInsufficient, 0L, userQuota, null, seq);
            }
            await conn.ExecuteAsync(LedgerSql.InsertReservation, tx, ct, ("$rid", r.RequestId), ("$u", r.UserId), ("$t", r.TokenId),
                ("$a", r.Amount), ("$tu", !tracked), ("$now", now));
            return (HoldStatus.Held, await conn.LastInsertIdAsync(tx, ct), quota.Value, remain, seq);
        }, ct);
        var (status, reservation, newQuota, newRemain, sequence) = result;
        if (status != HoldStatus.Held) return new HoldOutcome(status, null, newQuota);
        book.PublishUser(r.UserId, newQuota, sequence);
        if (newRemain is { } rem) book.PublishToken(r.TokenId, rem, sequence);
        return new HoldOutcome(HoldStatus.Held, new Hold(reservation, r.UserId, r.TokenId, tracked, r.Amount), newQuota);
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
