using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Users;

/// <summary>The users table. Every write raises <see cref="Invalidated"/> so auth and relay caches drop the user at once.</summary>
public sealed partial class UserRepository(SqliteDb db)
{
    private const string SelectLive = "SELECT " + UserRow.Columns + " FROM users WHERE deleted_at IS NULL";

    public event Action<long>? Invalidated;

    public async Task<UserRow?> FindAsync(long id, CancellationToken ct = default, bool includeDeleted = false)
    {
        await using var conn = await db.OpenAsync(ct);
        var sql = "SELECT " + UserRow.Columns + " FROM users WHERE id = $id" + (includeDeleted ? "" : " AND deleted_at IS NULL");
        return await conn.QuerySingleAsync(sql, null, UserRow.Read, ct, ("$id", id));
    }

    public async Task<UserRow?> FindByUsernameAsync(string username, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND username = $u", null, UserRow.Read, ct, ("$u", username));
    }

    /// <summary>Login name or e-mail (new-api accepts either on the login form).</summary>
    public async Task<UserRow?> FindForLoginAsync(string name, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND (username = $u OR (email <> '' AND email = lower($u))) ORDER BY username = $u DESC LIMIT 1",
            null, UserRow.Read, ct, ("$u", name));
    }

    public async Task<UserRow?> FindByAccessTokenHashAsync(string hash, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND access_token = $h", null, UserRow.Read, ct, ("$h", hash));
    }

    /// <summary>Username taken, soft-deleted users included (new-api keeps deleted names reserved).</summary>
    public async Task<bool> UsernameExistsAsync(string username, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE username = $u", null, ct, ("$u", username)) > 0;
    }

    public async Task<bool> EmailExistsAsync(string email, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE email <> '' AND lower(email) = lower($e)", null, ct, ("$e", email)) > 0;
    }

    public async Task<bool> AnyRootAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE role = $r AND deleted_at IS NULL", null, ct, ("$r", (int)Role.Root)) > 0;
    }

    public sealed record NewUser(string Username, string PasswordHash, string DisplayName, Role Role, long Quota, string Group,
        string Email = "", long InviterId = 0, string AffCode = "", string Setting = "");

    public async Task<long> InsertAsync(NewUser u, long now, CancellationToken ct = default) =>
        await db.WriteAsync((conn, tx) => InsertAsync(conn, tx, u, now, ct), ct);

    public static async Task<long> InsertAsync(SqliteConnection conn, SqliteTransaction tx, NewUser u, long now, CancellationToken ct)
    {
        await conn.ExecuteAsync("""
            INSERT INTO users(username, password, display_name, role, status, email, quota, "group", aff_code, inviter_id, setting, created_at)
            VALUES ($u, $p, $d, $r, 1, $e, $q, $g, $a, $i, $s, $t)
            """, tx, ct, ("$u", u.Username), ("$p", u.PasswordHash), ("$d", u.DisplayName), ("$r", (int)u.Role), ("$e", u.Email),
            ("$q", u.Quota), ("$g", u.Group), ("$a", u.AffCode.Length == 0 ? null : u.AffCode), ("$i", u.InviterId), ("$s", u.Setting), ("$t", now));
        return await conn.LastInsertIdAsync(tx, ct);
    }

    public async Task UpdatePasswordAsync(long id, string hash, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET password = $p WHERE id = $id", tx, ct, ("$p", hash), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task SetAccessTokenHashAsync(long id, string hash, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET access_token = $h WHERE id = $id", tx, ct, ("$h", hash), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    // last_login_at feeds no cache: not worth a cache flush on every sign-in.
    public async Task TouchLoginAsync(long id, long now, CancellationToken ct = default) =>
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET last_login_at = $t WHERE id = $id", tx, ct, ("$t", now), ("$id", id)), ct);

    public async Task UpdateProfileAsync(long id, string username, string displayName, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET username = $u, display_name = $d WHERE id = $id", tx, ct,
            ("$u", username), ("$d", displayName), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task UpdateSettingAsync(long id, string setting, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET setting = $s WHERE id = $id", tx, ct, ("$s", setting), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task SetAffCodeAsync(long id, string code, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET aff_code = $a WHERE id = $id", tx, ct, ("$a", code), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task SetRoleAsync(long id, Role role, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET role = $r WHERE id = $id", tx, ct, ("$r", (int)role), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task SetStatusAsync(long id, UserStatus status, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET status = $s WHERE id = $id", tx, ct, ("$s", (int)status), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task SoftDeleteAsync(long id, DateTimeOffset now, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET deleted_at = $t WHERE id = $id", tx, ct, ("$t", now.ToString("O")), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    public async Task<List<UserRow>> ListAsync(int offset, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync(SelectLive + " ORDER BY id DESC LIMIT $l OFFSET $o", null, UserRow.Read, ct, ("$l", limit), ("$o", offset));
    }

    public void RaiseInvalidated(long id) => Invalidated?.Invoke(id);
}
