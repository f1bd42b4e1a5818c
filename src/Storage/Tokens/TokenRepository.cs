using NewApi.Common;

namespace NewApi.Storage.Tokens;

/// <summary>The tokens table. Every management query is scoped by user id; the relay looks tokens up by key hash.</summary>
public sealed class TokenRepository(SqliteDb db)
{
    private const string SelectLive = "SELECT " + TokenRow.Columns + " FROM tokens WHERE deleted_at IS NULL";

    /// <summary>Raised with the token id after any write, so caches drop the entry at once.</summary>
    public event Action<long>? Invalidated;

    public async Task<TokenRow?> FindByHashAsync(string keyHash, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND \"key\" = $k", null, TokenRow.Read, ct, ("$k", keyHash));
    }

    public async Task<TokenRow?> FindAsync(long id, long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND id = $id AND user_id = $u", null, TokenRow.Read, ct, ("$id", id), ("$u", userId));
    }

    public async Task<TokenRow?> FindAnyAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND id = $id", null, TokenRow.Read, ct, ("$id", id));
    }

    public async Task<long> CountForUserAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM tokens WHERE user_id = $u AND deleted_at IS NULL", null, ct, ("$u", userId));
    }

    public async Task<(List<TokenRow> Items, long Total)> ListAsync(long userId, Paging page, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var total = await conn.ScalarLongAsync("SELECT COUNT(1) FROM tokens WHERE user_id = $u AND deleted_at IS NULL", null, ct, ("$u", userId));
        var items = await conn.QueryAsync(SelectLive + " AND user_id = $u ORDER BY id DESC LIMIT $l OFFSET $o", null, TokenRow.Read, ct,
            ("$u", userId), ("$l", page.PageSize), ("$o", page.Offset));
        return (items, total);
    }

    /// <summary>
    /// Name filter: exact unless it holds '%', then a LIKE with the caller-validated pattern. Key filter: exact hash.
    /// </summary>
    public async Task<(List<TokenRow> Items, long Total)> SearchAsync(long userId, string? namePattern, bool nameIsLike, string? keyHash,
        Paging page, CancellationToken ct = default)
    {
        var where = " AND user_id = $u";
        if (!string.IsNullOrEmpty(namePattern)) where += nameIsLike ? " AND name LIKE $n ESCAPE '!'" : " AND name = $n";
        if (!string.IsNullOrEmpty(keyHash)) where += " AND \"key\" = $k";
        await using var conn = await db.OpenAsync(ct);
        var args = new (string, object?)[] { ("$u", userId), ("$n", namePattern ?? ""), ("$k", keyHash ?? ""), ("$l", page.PageSize), ("$o", page.Offset) };
        var total = await conn.ScalarLongAsync("SELECT COUNT(1) FROM tokens WHERE deleted_at IS NULL" + where, null, ct, args);
        var items = await conn.QueryAsync(SelectLive + where + " ORDER BY id DESC LIMIT $l OFFSET $o", null, TokenRow.Read, ct, args);
        return (items, total);
    }

    public async Task<List<TokenRow>> FindManyAsync(long userId, IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        var list = new List<TokenRow>();
        await using var conn = await db.OpenAsync(ct);
        foreach (var id in ids)
            if (await conn.QuerySingleAsync(SelectLive + " AND id = $id AND user_id = $u", null, TokenRow.Read, ct, ("$id", id), ("$u", userId)) is { } row)
                list.Add(row);
        return list;
    }

    public async Task<long> InsertAsync(TokenRow t, CancellationToken ct = default)
    {
        var id = await db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("""
                INSERT INTO tokens(user_id, "key", key_enc, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota,
                    model_limits_enabled, model_limits, allow_ips, used_quota, "group", cross_group_retry, rpm_limit, tpm_limit, concurrency_limit)
                VALUES ($u, $k, $ke, $s, $n, $ct, $at, $et, $rq, $uq, $mle, $ml, $ai, 0, $g, $cgr, $rpm, $tpm, $cc)
                """, tx, ct, ("$u", t.UserId), ("$k", t.KeyHash), ("$ke", t.KeyEnc), ("$s", (int)t.Status), ("$n", t.Name), ("$ct", t.CreatedTime),
                ("$at", t.AccessedTime), ("$et", t.ExpiredTime), ("$rq", t.RemainQuota), ("$uq", t.UnlimitedQuota), ("$mle", t.ModelLimitsEnabled),
                ("$ml", t.ModelLimits), ("$ai", t.AllowIps), ("$g", t.Group), ("$cgr", t.CrossGroupRetry), ("$rpm", t.RpmLimit), ("$tpm", t.TpmLimit),
                ("$cc", t.ConcurrencyLimit));
            return await conn.LastInsertIdAsync(tx, ct);
        }, ct);
        Invalidated?.Invoke(id);
        return id;
    }

    /// <summary>Updates the editable fields (status untouched), scoped to the owner.</summary>
    public async Task<bool> UpdateAsync(TokenRow t, CancellationToken ct = default)
    {
        var n = await db.WriteAsync((conn, tx) => conn.ExecuteAsync("""
            UPDATE tokens SET name = $n, expired_time = $et, remain_quota = $rq, unlimited_quota = $uq, model_limits_enabled = $mle,
                model_limits = $ml, allow_ips = $ai, "group" = $g, cross_group_retry = $cgr, rpm_limit = $rpm, tpm_limit = $tpm, concurrency_limit = $cc
            WHERE id = $id AND user_id = $u AND deleted_at IS NULL
            """, tx, ct, ("$n", t.Name), ("$et", t.ExpiredTime), ("$rq", t.RemainQuota), ("$uq", t.UnlimitedQuota), ("$mle", t.ModelLimitsEnabled),
            ("$ml", t.ModelLimits), ("$ai", t.AllowIps), ("$g", t.Group), ("$cgr", t.CrossGroupRetry), ("$rpm", t.RpmLimit), ("$tpm", t.TpmLimit),
            ("$cc", t.ConcurrencyLimit), ("$id", t.Id), ("$u", t.UserId)), ct);
        Invalidated?.Invoke(t.Id);
        return n == 1;
    }

    public async Task<bool> SetStatusAsync(long id, long userId, TokenStatus status, CancellationToken ct = default)
    {
        var n = await db.WriteAsync((conn, tx) => conn.ExecuteAsync(
            "UPDATE tokens SET status = $s WHERE id = $id AND user_id = $u AND deleted_at IS NULL", tx, ct,
            ("$s", (int)status), ("$id", id), ("$u", userId)), ct);
        Invalidated?.Invoke(id);
        return n == 1;
    }

    /// <summary>Status change from the relay (expired/exhausted detected), not scoped to a user.</summary>
    public async Task MarkStatusAsync(long id, TokenStatus status, CancellationToken ct = default)
    {
        await db.WriteAsync((conn, tx) => conn.ExecuteAsync("UPDATE tokens SET status = $s WHERE id = $id", tx, ct, ("$s", (int)status), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task<int> SoftDeleteAsync(long userId, IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken ct = default)
    {
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            var count = 0;
            foreach (var id in ids)
                count += await conn.ExecuteAsync("UPDATE tokens SET deleted_at = $t WHERE id = $id AND user_id = $u AND deleted_at IS NULL", tx, ct,
                    ("$t", now.ToString("O")), ("$id", id), ("$u", userId));
            return count;
        }, ct);
        foreach (var id in ids) Invalidated?.Invoke(id);
        return n;
    }

    public async Task<List<TokenRow>> ListAllForUserAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync(SelectLive + " AND user_id = $u ORDER BY id DESC", null, TokenRow.Read, ct, ("$u", userId));
    }

    public void RaiseInvalidated(long id) => Invalidated?.Invoke(id);
}
