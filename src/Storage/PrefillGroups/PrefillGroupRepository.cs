namespace NewApi.Storage.PrefillGroups;

/// <summary>prefill_groups (soft delete; names unique among live rows, enforced by a partial unique index).</summary>
public sealed class PrefillGroupRepository(SqliteDb db)
{
    private const string SelectLive = "SELECT " + PrefillGroupRow.Columns + " FROM prefill_groups WHERE deleted_at IS NULL";

    public async Task<List<PrefillGroupRow>> ListAsync(string? type, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return string.IsNullOrEmpty(type)
            ? await conn.QueryAsync(SelectLive + " ORDER BY updated_time DESC, id DESC", null, PrefillGroupRow.Read, ct)
            : await conn.QueryAsync(SelectLive + " AND type = $t ORDER BY updated_time DESC, id DESC", null, PrefillGroupRow.Read, ct, ("$t", type));
    }

    public async Task<PrefillGroupRow?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND id = $id", null, PrefillGroupRow.Read, ct, ("$id", id));
    }

    /// <summary>Inserts the row; null when a live group already has that name.</summary>
    public async Task<PrefillGroupRow?> InsertAsync(PrefillGroupRow row, CancellationToken ct = default)
    {
        var id = await db.WriteAsync(async (c, tx) =>
        {
            if (await c.ScalarLongAsync("SELECT COUNT(1) FROM prefill_groups WHERE name = $n AND deleted_at IS NULL", tx, ct, ("$n", row.Name)) > 0)
                return 0L;
            await c.ExecuteAsync("""
                INSERT INTO prefill_groups(name, type, items, description, created_time, updated_time) VALUES ($n, $t, $i, $d, $c, $u)
                """, tx, ct, ("$n", row.Name), ("$t", row.Type), ("$i", row.Items), ("$d", row.Description), ("$c", row.CreatedTime),
                ("$u", row.UpdatedTime));
            return await c.LastInsertIdAsync(tx, ct);
        }, ct);
        return id == 0 ? null : row with { Id = id };
    }

    public enum UpdateResult { Updated, NotFound, NameTaken }

    public async Task<UpdateResult> UpdateAsync(PrefillGroupRow row, CancellationToken ct = default) =>
        await db.WriteAsync(async (c, tx) =>
        {
            if (await c.ScalarLongAsync("SELECT COUNT(1) FROM prefill_groups WHERE name = $n AND id <> $id AND deleted_at IS NULL", tx, ct,
                    ("$n", row.Name), ("$id", row.Id)) > 0)
                return UpdateResult.NameTaken;
            var n = await c.ExecuteAsync("""
                UPDATE prefill_groups SET name = $n, type = $t, items = $i, description = $d, updated_time = $u
                WHERE id = $id AND deleted_at IS NULL
                """, tx, ct, ("$n", row.Name), ("$t", row.Type), ("$i", row.Items), ("$d", row.Description), ("$u", row.UpdatedTime),
                ("$id", row.Id));
            return n == 1 ? UpdateResult.Updated : UpdateResult.NotFound;
        }, ct);

    public async Task<bool> SoftDeleteAsync(long id, DateTimeOffset now, CancellationToken ct = default) =>
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE prefill_groups SET deleted_at = $t WHERE id = $id AND deleted_at IS NULL", tx, ct,
            ("$t", now.ToString("O")), ("$id", id)), ct) == 1;
}
