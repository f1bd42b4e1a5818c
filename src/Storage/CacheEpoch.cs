namespace NewApi.Storage;

/// <summary>
/// A counter other processes (the CLI) bump after writing, so a running server notices out-of-process changes to
/// tokens, users, channels or options and drops its in-memory snapshots (polled once a second, one indexed read).
/// </summary>
public sealed class CacheEpoch(SqliteDb db)
{
    public async Task<long> ReadAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT epoch FROM cache_epochs WHERE name = 'global'", null, ct);
    }

    public Task BumpAsync(CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE cache_epochs SET epoch = epoch + 1 WHERE name = 'global'", tx, ct), ct);
}
