using System.Collections.Concurrent;

namespace NewApi.Billing.Ledger;

/// <summary>
/// Live user quota and token remaining quota in memory, so the relay's balance checks and the trust decision read no
/// database. Values come from three places: a cache load seeds a cell, and every billing write (hold or batch)
/// publishes the value the database holds after it, tagged with a write sequence number so that a late publication
/// never overwrites a newer one. An admin write drops the cell (<see cref="ForgetUser"/>), and the next load reseeds it.
/// </summary>
public sealed class BalanceBook
{
    private readonly ConcurrentDictionary<long, Cell> _users = new();
    private readonly ConcurrentDictionary<long, Cell> _tokens = new();
    private long _seq;

    /// <summary>Sequence of the latest billing write; read it before a cache load and pass it to Seed.</summary>
    public long CurrentSequence => Volatile.Read(ref _seq);

    internal long NextSequence() => Interlocked.Increment(ref _seq);

    public bool TryGetUserQuota(long userId, out long quota) => TryGet(_users, userId, out quota);
    public bool TryGetTokenRemain(long tokenId, out long remain) => TryGet(_tokens, tokenId, out remain);

    public long SeedUser(long userId, long quota, long sequence) => Seed(_users, userId, quota, sequence);
    public long SeedToken(long tokenId, long remain, long sequence) => Seed(_tokens, tokenId, remain, sequence);

    internal void PublishUser(long userId, long quota, long sequence) => Publish(_users, userId, quota, sequence);
    internal void PublishToken(long tokenId, long remain, long sequence) => Publish(_tokens, tokenId, remain, sequence);

    public void ForgetUser(long userId) => _users.TryRemove(userId, out _);
    public void ForgetToken(long tokenId) => _tokens.TryRemove(tokenId, out _);

    public void Clear()
    {
        _users.Clear();
        _tokens.Clear();
    }

    private static bool TryGet(ConcurrentDictionary<long, Cell> map, long id, out long value)
    {
        if (map.TryGetValue(id, out var cell))
        {
            value = cell.Value;
            return true;
        }
        value = 0;
        return false;
    }

    private static long Seed(ConcurrentDictionary<long, Cell> map, long id, long value, long sequence) =>
        map.GetOrAdd(id, static (_, s) => new Cell(s.value, s.sequence), (value, sequence)).Value;

    /// <summary>Only updates a cell that exists: a dropped cell stays dropped until a load reads the database again.</summary>
    private static void Publish(ConcurrentDictionary<long, Cell> map, long id, long value, long sequence)
    {
        if (map.TryGetValue(id, out var cell)) cell.Offer(value, sequence);
    }

    private sealed class Cell(long value, long sequence)
    {
        private long _value = value;
        private long _sequence = sequence;

        public long Value => Volatile.Read(ref _value);

        /// <summary>Writers only (billing commits); the relay's reads never take this lock.</summary>
        public void Offer(long value, long sequence)
        {
            lock (this)
            {
                if (sequence <= _sequence) return;
                _sequence = sequence;
                Volatile.Write(ref _value, value);
            }
        }
    }
}
