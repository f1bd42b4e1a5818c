using Microsoft.Data.Sqlite;
using NewApi.Storage.Users;

namespace NewApi.Storage.OAuth;

/// <summary>The users-table column that holds a built-in provider's account id (New API's github_id, …).</summary>
public enum ExternalIdColumn { GitHub, Discord, Oidc, LinuxDo, WeChat, Telegram }

/// <summary>
/// Third-party identities: the built-in id columns on users and, for custom providers, user_oauth_bindings. Lookups
/// include soft-deleted users on purpose: New API keeps an id bound to a deleted account ("user deleted").
/// </summary>
public sealed class ExternalIdentityRepository(SqliteDb db, UserRepository users)
{
    /// <summary>New API's username limit (validator max 20).</summary>
    public const int MaxUsernameLength = 20;

    private static string Column(ExternalIdColumn c) => c switch
    {
        ExternalIdColumn.GitHub => "github_id",
        ExternalIdColumn.Discord => "discord_id",
        ExternalIdColumn.Oidc => "oidc_id",
        ExternalIdColumn.LinuxDo => "linux_do_id",
        ExternalIdColumn.WeChat => "wechat_id",
        ExternalIdColumn.Telegram => "telegram_id",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    /// <summary>The account bound to an external id, soft-deleted accounts included (check <see cref="UserRow.DeletedAt"/>).</summary>
    public async Task<UserRow?> FindAsync(ExternalIdColumn column, string externalId, CancellationToken ct = default)
    {
        if (externalId.Length == 0) return null;
        await using var conn = await db.OpenAsync(ct);
        var sql = "SELECT " + UserRow.Columns + " FROM users WHERE " + Column(column) + " = $v ORDER BY deleted_at IS NOT NULL, id LIMIT 1";
        return await conn.QuerySingleAsync(sql, null, UserRow.Read, ct, ("$v", externalId));
    }

    public async Task<UserRow?> FindByBindingAsync(long providerId, string providerUserId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync("""
            SELECT u.id, u.username, u.password, u.display_name, u.role, u.status, u.email, u.github_id, u.discord_id, u.oidc_id, u.wechat_id,
                u.telegram_id, u.linux_do_id, u.quota, u.used_quota, u.request_count, u."group", u.aff_code, u.aff_count, u.aff_quota,
                u.aff_history, u.inviter_id, u.setting, u.remark, u.stripe_customer, u.created_at, u.last_login_at, u.deleted_at
            FROM user_oauth_bindings b JOIN users u ON u.id = b.user_id
            WHERE b.provider_id = $p AND b.provider_user_id = $v
            """, null, UserRow.Read, ct, ("$p", providerId), ("$v", providerUserId));
    }

    public async Task<bool> IsBindingTakenAsync(long providerId, string providerUserId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM user_oauth_bindings WHERE provider_id = $p AND provider_user_id = $v",
            null, ct, ("$p", providerId), ("$v", providerUserId)) > 0;
    }

    public async Task SetAsync(long userId, ExternalIdColumn column, string externalId, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET " + Column(column) + " = $v WHERE id = $id", tx, ct,
            ("$v", externalId), ("$id", userId)), ct);
        users.RaiseInvalidated(userId);
    }

    public async Task SetEmailAsync(long userId, string email, CancellationToken ct = default)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE users SET email = $e WHERE id = $id", tx, ct, ("$e", email), ("$id", userId)), ct);
        users.RaiseInvalidated(userId);
    }

    /// <summary>Binds (or re-binds) a custom-provider identity; UNIQUE(user, provider) keeps one per provider.</summary>
    public Task BindCustomAsync(long userId, long providerId, string providerUserId, long now, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO user_oauth_bindings(user_id, provider_id, provider_user_id, created_at) VALUES ($u, $p, $v, $t)
            ON CONFLICT(user_id, provider_id) DO UPDATE SET provider_user_id = excluded.provider_user_id
            """, tx, ct, ("$u", userId), ("$p", providerId), ("$v", providerUserId), ("$t", now)), ct);

    public async Task<long> InviterIdAsync(string? affCode, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(affCode)) return 0;
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT id FROM users WHERE aff_code = $a AND deleted_at IS NULL", null, ct, ("$a", affCode));
    }

    /// <summary>What a third-party sign-up creates: New API's naming rule is applied inside the write transaction.</summary>
    public sealed record NewExternalUser(string PreferredUsername, string Prefix, string DisplayName, string Email, long Quota,
        long InviterId, string AffCode, ExternalIdColumn? Column, long CustomProviderId, string ExternalId);

    /// <summary>
    /// Inserts the user and its identity in one transaction. Username: the provider's name when free (soft-deleted
    /// names count as taken) and at most 20 characters, else prefix + (max id + 1).
    /// </summary>
    public Task<long> CreateUserAsync(NewExternalUser u, long now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) =>
        {
            var username = await PickUsernameAsync(conn, tx, u, ct);
            var id = await UserRepository.InsertAsync(conn, tx, new UserRepository.NewUser(username, "", u.DisplayName, Common.Role.User,
                u.Quota, "default", u.Email, u.InviterId, u.AffCode), now, ct);
            if (u.Column is { } col)
                await conn.ExecuteAsync("UPDATE users SET " + Column(col) + " = $v WHERE id = $id", tx, ct, ("$v", u.ExternalId), ("$id", id));
            else
                await conn.ExecuteAsync("INSERT INTO user_oauth_bindings(user_id, provider_id, provider_user_id, created_at) VALUES ($u, $p, $v, $t)",
                    tx, ct, ("$u", id), ("$p", u.CustomProviderId), ("$v", u.ExternalId), ("$t", now));
            return id;
        }, ct);

    private static async Task<string> PickUsernameAsync(SqliteConnection conn, SqliteTransaction tx, NewExternalUser u, CancellationToken ct)
    {
        var preferred = u.PreferredUsername.Trim();
        if (preferred.Length > 0 && preferred.Length <= MaxUsernameLength
            && await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE username = $u", tx, ct, ("$u", preferred)) == 0)
            return preferred;
        var next = await conn.ScalarLongAsync("SELECT COALESCE(MAX(id), 0) + 1 FROM users", tx, ct);
        var name = u.Prefix + next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        while (await conn.ScalarLongAsync("SELECT COUNT(1) FROM users WHERE username = $u", tx, ct, ("$u", name)) > 0)
            name = u.Prefix + (++next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name;
    }
}
