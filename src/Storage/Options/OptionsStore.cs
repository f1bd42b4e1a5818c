using System.Collections.Frozen;

namespace NewApi.Storage.Options;

/// <summary>
/// Options as an in-memory immutable snapshot: readers take <see cref="Current"/> without a lock; a write upserts
/// the row and swaps in a new snapshot. Other nodes pick changes up through <see cref="ReloadAsync"/>.
/// </summary>
public sealed class OptionsStore(SqliteDb db)
{
    private OptionsSnapshot _current = Build(new Dictionary<string, string>(), 0);
    private long _version;

    public OptionsSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after a snapshot swap, with the new snapshot (derived caches rebuild from it).</summary>
    public event Action<OptionsSnapshot>? Changed;

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var rows = await conn.QueryAsync("SELECT \"key\", value FROM options", null, r => (r.Str(0), r.Str(1)), ct);
        var stored = rows.ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
        if (!Current.Values.Count.Equals(0) && SameAs(stored)) return;
        Swap(stored);
    }

    public async Task SetAsync(string key, string value, CancellationToken ct = default) =>
        await SetManyAsync([new KeyValuePair<string, string>(key, value)], ct);

    public async Task SetManyAsync(IReadOnlyList<KeyValuePair<string, string>> pairs, CancellationToken ct = default)
    {
        await db.WriteAsync(async (conn, tx) =>
        {
            foreach (var (k, v) in pairs)
                await conn.ExecuteAsync("""INSERT INTO options("key", value) VALUES ($k, $v) ON CONFLICT("key") DO UPDATE SET value = excluded.value""",
                    tx, ct, ("$k", k), ("$v", v));
        }, ct);
        await ReloadAsync(ct);
    }

    private bool SameAs(Dictionary<string, string> stored)
    {
        var cur = Current.Values;
        foreach (var (k, v) in stored)
            if (!cur.TryGetValue(k, out var c) || c != v) return false;
        return true;
    }

    private void Swap(Dictionary<string, string> stored)
    {
        var next = Build(stored, Interlocked.Increment(ref _version));
        Volatile.Write(ref _current, next);
        Changed?.Invoke(next);
    }

    private static OptionsSnapshot Build(Dictionary<string, string> stored, long version)
    {
        var merged = new Dictionary<string, string>(OptionDefaults.All, StringComparer.Ordinal);
        foreach (var (k, v) in stored) merged[k] = v;
        return new OptionsSnapshot(merged.ToFrozenDictionary(StringComparer.Ordinal), version);
    }
}
