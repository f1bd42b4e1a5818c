using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Users;

/// <summary>Listing, search and the writes behind admin user management, registration and self-service.</summary>
public sealed partial class UserRepository
{
    private const string SelectAll = "SELECT " + UserRow.Columns + " FROM users";

    /// <summary>Paged users, soft-deleted included (New API's admin list), with optional search filters.</summary>
    public async Task<(List<UserRow> Rows, long Total)> ListAsync(UserQuery query, int offset, int limit, CancellationToken ct = default)
    {
        var (where, args) = query.Where();
        await using var conn = await db.OpenAsync(ct);
        var total = await conn.ScalarLongAsync("SELECT COUNT(1) FROM users" + where, null, ct, args);
        var paged = args.Append(("$l", (object?)limit)).Append(("$o", offset)).ToArray();
        var rows = await conn.QueryAsync(SelectAll + where + " ORDER BY " + query.OrderBy() + " LIMIT $l OFFSET $o", null, UserRow.Read, ct, paged);
        return (rows, total);
    }

    public async Task<UserRow?> FindByAffCodeAsync(string code, CancellationToken ct = default)
    {
        if (code.Length == 0) return null;
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectLive + " AND aff_code = $a", null, UserRow.Read, ct, ("$a", code));
    }

    /// <summary>Live users with this e-mail (case-insensitive); the password reset only acts when there is exactly one.</summary>
    public async Task<List<UserRow>> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync(SelectLive + " AND email <> '' AND lower(email) = lower($e) LIMIT 2", null, UserRow.Read, ct, ("$e", email));
    }

    /// <summary>The single live user with this e-mail inside a transaction; null when none or ambiguous.</summary>
    public static async Task<UserRow?> FindOneByEmailAsync(SqliteConnection conn, SqliteTransaction? tx, string email, CancellationToken ct)
    {
        var rows = await conn.QueryAsync(SelectLive + " AND email <> '' AND lower(email) = lower($e) LIMIT 2", tx, UserRow.Read, ct, ("$e", email));
        return rows.Count == 1 ? rows[0] : null;
    }

    public static async Task<bool> UsernameTakenAsync(SqliteConnection conn, SqliteTransaction? tx, string username, long exceptId, CancellationToken ct) =>
        await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE username = $u AND id <> $id", tx, ct, ("$u", username), ("$id", exceptId)) > 0;

    /// <summary>E-mail used by any user, soft-deleted included (New API keeps deleted addresses reserved).</summary>
    public static async Task<bool> EmailTakenAsync(SqliteConnection conn, SqliteTransaction? tx, string email, long exceptId, CancellationToken ct) =>
        await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE email <> '' AND lower(email) = lower($e) AND id <> $id", tx, ct,
            ("$e", email), ("$id", exceptId)) > 0;

    public static async Task<bool> AffCodeTakenAsync(SqliteConnection conn, SqliteTransaction? tx, string code, CancellationToken ct) =>
        await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE aff_code = $a", tx, ct, ("$a", code)) > 0;

    public async Task<bool> UsernameTakenAsync(string username, long exceptId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await UsernameTakenAsync(conn, null, username, exceptId, ct);
    }

    /// <summary>Sets an aff code only when the user has none yet; false when the code collided with another user's.</summary>
    public async Task<bool> TrySetAffCodeAsync(long id, string code, CancellationToken ct = default)
    {
        var ok = await db.WriteAsync(async (c, tx) =>
        {
            if (await AffCodeTakenAsync(c, tx, code, ct)) return false;
            await c.ExecuteAsync("UPDATE users SET aff_code = $a WHERE id = $id AND (aff_code IS NULL OR aff_code = '')", tx, ct, ("$a", code), ("$id", id));
            return true;
        }, ct);
        if (ok) Invalidated?.Invoke(id);
        return ok;
    }

    public sealed record AdminEdit(string Username, string DisplayName, string Group, string Remark, string? PasswordHash);

    public async Task UpdateByAdminAsync(long id, AdminEdit e, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("""
            UPDATE users SET username = $u, display_name = $d, "group" = $g, remark = $r, password = coalesce($p, password) WHERE id = $id
            """, tx, ct, ("$u", e.Username), ("$d", e.DisplayName), ("$g", e.Group), ("$r", e.Remark), ("$p", e.PasswordHash), ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    /// <summary>Applies an admin quota change atomically; null when it would leave the balance negative or overflow.</summary>
    public async Task<(long Old, long New)?> ChangeQuotaAsync(long id, QuotaChange mode, long value, CancellationToken ct = default)
    {
        var result = await db.WriteAsync<(long, long)?>(async (c, tx) =>
        {
            var old = await c.ScalarStringAsync("SELECT quota FROM users WHERE id = $id", tx, ct, ("$id", id));
            if (old is null || !long.TryParse(old, out var before)) return null;
            long after;
            try
            {
                after = mode switch
                {
                    QuotaChange.Add => checked(before + value),
                    QuotaChange.Subtract => checked(before - value),
                    _ => value,
                };
            }
            catch (OverflowException)
            {
                return null;
            }
            // NewApi: New API let subtract/override drive a balance negative; a negative balance is refused here.
            if (after < 0) return null;
            await c.ExecuteAsync("UPDATE users SET quota = $q WHERE id = $id", tx, ct, ("$q", after), ("$id", id));
            return (before, after);
        }, ct);
        Invalidated?.Invoke(id);
        return result;
    }

    public static Task<int> AddQuotaAsync(SqliteConnection conn, SqliteTransaction tx, long id, long delta, CancellationToken ct) =>
        conn.ExecuteAsync("UPDATE users SET quota = quota + $d WHERE id = $id", tx, ct, ("$d", delta), ("$id", id));

    /// <summary>Inviter bookkeeping after a successful invite: one more invitee and, when rewarded, the reward balance.</summary>
    public static Task<int> RecordInviteAsync(SqliteConnection conn, SqliteTransaction tx, long inviterId, long reward, CancellationToken ct) =>
        conn.ExecuteAsync("""
            UPDATE users SET aff_count = aff_count + 1, aff_quota = aff_quota + $r, aff_history = aff_history + $r WHERE id = $id
            """, tx, ct, ("$r", reward), ("$id", inviterId));

    /// <summary>Moves invite rewards to the spendable balance; false when the reward balance is short.</summary>
    public async Task<bool> TransferAffQuotaAsync(long id, long quota, CancellationToken ct = default)
    {
        var moved = await db.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE users SET aff_quota = aff_quota - $q, quota = quota + $q WHERE id = $id AND aff_quota >= $q AND deleted_at IS NULL",
            tx, ct, ("$q", quota), ("$id", id)), ct) == 1;
        Invalidated?.Invoke(id);
        return moved;
    }

    public async Task ClearBindingAsync(long id, UserBinding binding, CancellationToken ct = default)
    {
        var sql = binding switch
        {
            UserBinding.Email => "UPDATE users SET email = '' WHERE id = $id",
            UserBinding.GitHub => "UPDATE users SET github_id = '' WHERE id = $id",
            UserBinding.Discord => "UPDATE users SET discord_id = '' WHERE id = $id",
            UserBinding.Oidc => "UPDATE users SET oidc_id = '' WHERE id = $id",
            UserBinding.WeChat => "UPDATE users SET wechat_id = '' WHERE id = $id",
            UserBinding.Telegram => "UPDATE users SET telegram_id = '' WHERE id = $id",
            _ => "UPDATE users SET linux_do_id = '' WHERE id = $id",
        };
        await db.WriteAsync((c, tx) => c.ExecuteAsync(sql, tx, ct, ("$id", id)), ct);
        Invalidated?.Invoke(id);
    }

    /// <summary>
    /// Removes the user row and everything that authenticates as it (API keys, 2FA, passkeys, OAuth bindings) in one
    /// transaction. Consume logs stay: they are billing history.
    /// </summary>
    public async Task<bool> HardDeleteAsync(long id, CancellationToken ct = default)
    {
        var deleted = await db.WriteAsync(async (c, tx) =>
        {
            // NewApi: New API's hard delete left the user's API keys behind, orphaned but still in the tokens table.
            await c.ExecuteAsync("DELETE FROM tokens WHERE user_id = $id", tx, ct, ("$id", id));
            await c.ExecuteAsync("DELETE FROM two_fa_backup_codes WHERE user_id = $id", tx, ct, ("$id", id));
            await c.ExecuteAsync("DELETE FROM two_fas WHERE user_id = $id", tx, ct, ("$id", id));
            await c.ExecuteAsync("DELETE FROM passkey_credentials WHERE user_id = $id", tx, ct, ("$id", id));
            await c.ExecuteAsync("DELETE FROM user_oauth_bindings WHERE user_id = $id", tx, ct, ("$id", id));
            return await c.ExecuteAsync("DELETE FROM users WHERE id = $id", tx, ct, ("$id", id));
        }, ct) == 1;
        Invalidated?.Invoke(id);
        return deleted;
    }
}

public enum QuotaChange { Add, Subtract, Override }

/// <summary>The built-in third-party bindings an admin may clear (New API's binding_type values).</summary>
public enum UserBinding { Email, GitHub, Discord, Oidc, WeChat, Telegram, LinuxDo }
