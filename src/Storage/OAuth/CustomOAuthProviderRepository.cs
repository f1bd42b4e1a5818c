using Microsoft.Data.Sqlite;

namespace NewApi.Storage.OAuth;

/// <summary>custom_oauth_providers (Root-managed). client_secret holds ciphertext; callers encrypt/decrypt.</summary>
public sealed class CustomOAuthProviderRepository(SqliteDb db)
{
    private const string Columns = """
        id, name, slug, icon, enabled, client_id, client_secret, authorization_endpoint, token_endpoint, user_info_endpoint, scopes,
        user_id_field, username_field, display_name_field, email_field, auth_style, access_policy, created_at, updated_at
        """;

    public async Task<List<CustomOAuthProviderRow>> ListAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync("SELECT " + Columns + " FROM custom_oauth_providers ORDER BY id", null, Read, ct);
    }

    public async Task<CustomOAuthProviderRow?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync("SELECT " + Columns + " FROM custom_oauth_providers WHERE id = $id", null, Read, ct, ("$id", id));
    }

    public async Task<CustomOAuthProviderRow?> FindBySlugAsync(string slug, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync("SELECT " + Columns + " FROM custom_oauth_providers WHERE slug = $s", null, Read, ct, ("$s", slug));
    }

    public async Task<bool> SlugTakenAsync(string slug, long exceptId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM custom_oauth_providers WHERE slug = $s AND id <> $id", null, ct,
            ("$s", slug), ("$id", exceptId)) > 0;
    }

    public Task<long> InsertAsync(CustomOAuthProviderRow p, long now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("""
                INSERT INTO custom_oauth_providers(name, slug, icon, enabled, client_id, client_secret, authorization_endpoint, token_endpoint,
                    user_info_endpoint, scopes, user_id_field, username_field, display_name_field, email_field, auth_style, access_policy,
                    created_at, updated_at)
                VALUES ($name, $slug, $icon, $enabled, $cid, $secret, $auth, $token, $info, $scopes, $uid, $uname, $dname, $email, $style,
                    $policy, $t, $t)
                """, tx, ct, Params(p, now));
            return await conn.LastInsertIdAsync(tx, ct);
        }, ct);

    public Task<bool> UpdateAsync(CustomOAuthProviderRow p, long now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) => await conn.ExecuteAsync("""
            UPDATE custom_oauth_providers SET name = $name, slug = $slug, icon = $icon, enabled = $enabled, client_id = $cid,
                client_secret = $secret, authorization_endpoint = $auth, token_endpoint = $token, user_info_endpoint = $info,
                scopes = $scopes, user_id_field = $uid, username_field = $uname, display_name_field = $dname, email_field = $email,
                auth_style = $style, access_policy = $policy, updated_at = $t
            WHERE id = $id
            """, tx, ct, [.. Params(p, now), ("$id", p.Id)]) == 1, ct);

    /// <summary>New API refuses to delete a provider that users are still bound to.</summary>
    public Task<bool?> DeleteAsync(long id, CancellationToken ct = default) =>
        db.WriteAsync<bool?>(async (conn, tx) =>
        {
            if (await conn.ScalarLongAsync("SELECT COUNT(1) FROM user_oauth_bindings WHERE provider_id = $id", tx, ct, ("$id", id)) > 0) return null;
            return await conn.ExecuteAsync("DELETE FROM custom_oauth_providers WHERE id = $id", tx, ct, ("$id", id)) == 1;
        }, ct);

    private static (string, object?)[] Params(CustomOAuthProviderRow p, long now) =>
    [
        ("$name", p.Name), ("$slug", p.Slug), ("$icon", p.Icon), ("$enabled", p.Enabled), ("$cid", p.ClientId), ("$secret", p.ClientSecret),
        ("$auth", p.AuthorizationEndpoint), ("$token", p.TokenEndpoint), ("$info", p.UserInfoEndpoint), ("$scopes", p.Scopes),
        ("$uid", p.UserIdField), ("$uname", p.UsernameField), ("$dname", p.DisplayNameField), ("$email", p.EmailField),
        ("$style", p.AuthStyle), ("$policy", p.AccessPolicy), ("$t", now),
    ];

    private static CustomOAuthProviderRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), Name = r.Str(1), Slug = r.Str(2), Icon = r.Str(3), Enabled = r.Bool(4), ClientId = r.Str(5), ClientSecret = r.Str(6),
        AuthorizationEndpoint = r.Str(7), TokenEndpoint = r.Str(8), UserInfoEndpoint = r.Str(9), Scopes = r.Str(10), UserIdField = r.Str(11),
        UsernameField = r.Str(12), DisplayNameField = r.Str(13), EmailField = r.Str(14), AuthStyle = r.Int(15), AccessPolicy = r.Str(16),
        CreatedAt = r.Long(17), UpdatedAt = r.Long(18),
    };
}

public sealed record CustomOAuthProviderRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Slug { get; init; } = "";
    public string Icon { get; init; } = "";
    public bool Enabled { get; init; }
    public string ClientId { get; init; } = "";
    public string ClientSecret { get; init; } = "";
    public string AuthorizationEndpoint { get; init; } = "";
    public string TokenEndpoint { get; init; } = "";
    public string UserInfoEndpoint { get; init; } = "";
    public string Scopes { get; init; } = "openid profile email";
    public string UserIdField { get; init; } = "sub";
    public string UsernameField { get; init; } = "preferred_username";
    public string DisplayNameField { get; init; } = "name";
    public string EmailField { get; init; } = "email";
    /// <summary>0 auto (sent as form parameters), 1 form parameters, 2 HTTP Basic.</summary>
    public int AuthStyle { get; init; }
    public string AccessPolicy { get; init; } = "";
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}
