using System.Collections.Concurrent;
using NewApi.Auth;
using NewApi.Billing.Ledger;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;

namespace NewApi.Relay.Auth;

/// <summary>
/// Tokens by key hash and users by id, in memory. A hit reads a ConcurrentDictionary (no lock, no query); a miss
/// loads the row once and seeds the live balances in <see cref="BalanceBook"/>. Every repository write raises an
/// invalidation that drops the entry at once; out-of-process writes (the CLI) arrive through <see cref="Clear"/>.
/// Unknown key hashes are remembered too (bounded), so a flood of bad keys does not become a flood of queries.
/// </summary>
public sealed class RelayIdentityCache
{
    private const int MaxUnknownKeys = 50_000;
    private const int MaxRememberedHashes = 50_000;

    private readonly ConcurrentDictionary<string, TokenEntry> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, string> _tokenHashById = new();
    private readonly ConcurrentDictionary<string, byte> _unknown = new(StringComparer.Ordinal);
    /// <summary>
    /// Lookup hashes of keys that matched a token (a pure function of the key, so never stale): a known caller's
    /// request skips the HMAC. Bounded; keys that match nothing are not remembered here.
    /// </summary>
    private readonly ConcurrentDictionary<string, string> _hashOfKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, UserEntry> _users = new();
    private readonly TokenRepository _tokenRepo;
    private readonly UserRepository _userRepo;
    private readonly SecretBox _box;
    private readonly BalanceBook _book;
    /// <summary>Bumped by every drop: a load that raced with one returns its row but does not cache it.</summary>
    private long _generation;

    public RelayIdentityCache(TokenRepository tokens, UserRepository users, SecretBox box, BalanceBook book)
    {
        _tokenRepo = tokens;
        _userRepo = users;
        _box = box;
        _book = book;
        tokens.Invalidated += DropToken;
        users.Invalidated += DropUser;
    }

    public async ValueTask<TokenEntry?> FindTokenAsync(string key, CancellationToken ct)
    {
        var remembered = _hashOfKey.TryGetValue(key, out var known);
        var hash = known ?? _box.LookupHash(key);
        if (_tokens.TryGetValue(hash, out var hit))
        {
            if (!remembered) Remember(key, hash);
            return hit;
        }
        if (_unknown.ContainsKey(hash)) return null;
        var generation = Volatile.Read(ref _generation);
        var seq = _book.CurrentSequence;
        var row = await _tokenRepo.FindByHashAsync(hash, ct);
        if (row is null)
        {
            if (_unknown.Count >= MaxUnknownKeys) _unknown.Clear();
            _unknown.TryAdd(hash, 0);
            return null;
        }
        var entry = new TokenEntry(row);
        Remember(key, hash);
        _book.SeedToken(row.Id, row.RemainQuota, seq);
        if (generation != Volatile.Read(ref _generation)) return entry;
        _tokenHashById[row.Id] = hash;
        var cached = _tokens.GetOrAdd(hash, entry);
        // A drop that landed between the check and the add must not leave the row it invalidated behind.
        if (generation != Volatile.Read(ref _generation)) _tokens.TryRemove(new KeyValuePair<string, TokenEntry>(hash, entry));
        return cached;
    }

    private void Remember(string key, string hash)
    {
        if (_hashOfKey.Count >= MaxRememberedHashes) _hashOfKey.Clear();
        _hashOfKey.TryAdd(key, hash);
    }

    public async ValueTask<UserEntry?> FindUserAsync(long id, CancellationToken ct)
    {
        if (_users.TryGetValue(id, out var hit)) return hit;
        var generation = Volatile.Read(ref _generation);
        var seq = _book.CurrentSequence;
        var row = await _userRepo.FindAsync(id, ct);
        if (row is null) return null;
        _book.SeedUser(row.Id, row.Quota, seq);
        var entry = new UserEntry(row);
        if (generation != Volatile.Read(ref _generation)) return entry;
        var cached = _users.GetOrAdd(id, entry);
        if (generation != Volatile.Read(ref _generation)) _users.TryRemove(new KeyValuePair<long, UserEntry>(id, entry));
        return cached;
    }

    public void DropToken(long id)
    {
        Interlocked.Increment(ref _generation);
        if (_tokenHashById.TryRemove(id, out var hash)) _tokens.TryRemove(hash, out _);
        _unknown.Clear();   // a new token's hash may have been remembered as unknown
        _book.ForgetToken(id);
    }

    public void DropUser(long id)
    {
        Interlocked.Increment(ref _generation);
        _users.TryRemove(id, out _);
        _book.ForgetUser(id);
    }

    /// <summary>How many times <see cref="Clear"/> ran: a signal for whoever waits on an out-of-process write.</summary>
    public long ClearCount => Volatile.Read(ref _clears);

    private long _clears;

    /// <summary>Forgets everything (another process wrote to the database).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _tokens.Clear();
        _tokenHashById.Clear();
        _unknown.Clear();
        _users.Clear();
        _book.Clear();
        Interlocked.Increment(ref _clears);
    }
}
