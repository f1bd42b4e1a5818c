namespace NewApi.Storage.Setup;

public sealed class SetupRepository(SqliteDb db)
{
    private int _initialised = -1;

    public async Task<bool> IsInitialisedAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _initialised) == 1) return true;
        await using var conn = await db.OpenAsync(ct);
        var ok = await conn.ScalarLongAsync("SELECT COUNT(1) FROM setups", null, ct) > 0;
        if (ok) Volatile.Write(ref _initialised, 1);
        return ok;
    }

    public async Task MarkInitialisedAsync(string version, long now, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync(
            "INSERT INTO setups(version, initialized_at) SELECT $v, $t WHERE NOT EXISTS (SELECT 1 FROM setups)", tx, ct, ("$v", version), ("$t", now)), ct);
        Volatile.Write(ref _initialised, 1);
    }
}
