using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Passkeys;

/// <summary>
/// passkey_credentials: one passkey per user (New API's unique user_id). Binary values are standard base64 like New
/// API stores them (credential id, COSE public key, AAGUID), so an imported database keeps working.
/// </summary>
public sealed class PasskeyRepository(SqliteDb db)
{
    private const string Columns = """
        id, user_id, credential_id, public_key, attestation_type, aaguid, sign_count, clone_warning, user_present, user_verified,
        backup_eligible, backup_state, transports, attachment, last_used_at, created_at
        """;

    public async Task<PasskeyRow?> FindByUserAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync("SELECT " + Columns + " FROM passkey_credentials WHERE user_id = $u AND deleted_at IS NULL",
            null, Read, ct, ("$u", userId));
    }

    public async Task<PasskeyRow?> FindByCredentialIdAsync(string credentialIdB64, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync("SELECT " + Columns + " FROM passkey_credentials WHERE credential_id = $c AND deleted_at IS NULL",
            null, Read, ct, ("$c", credentialIdB64));
    }

    /// <summary>Stores the user's passkey, replacing an earlier one. False when the credential id belongs to someone else.</summary>
    public Task<bool> ReplaceForUserAsync(PasskeyRow row, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) =>
        {
            var owner = await conn.ScalarLongAsync("SELECT user_id FROM passkey_credentials WHERE credential_id = $c", tx, ct, ("$c", row.CredentialId));
            if (owner != 0 && owner != row.UserId) return false;
            await conn.ExecuteAsync("DELETE FROM passkey_credentials WHERE user_id = $u OR credential_id = $c", tx, ct,
                ("$u", row.UserId), ("$c", row.CredentialId));
            await conn.ExecuteAsync("""
                INSERT INTO passkey_credentials(user_id, credential_id, public_key, attestation_type, aaguid, sign_count, clone_warning,
                    user_present, user_verified, backup_eligible, backup_state, transports, attachment, created_at, updated_at)
                VALUES ($u, $c, $pk, $at, $ag, $sc, 0, $up, $uv, $be, $bs, $tr, $att, $t, $t)
                """, tx, ct, ("$u", row.UserId), ("$c", row.CredentialId), ("$pk", row.PublicKey), ("$at", row.AttestationType),
                ("$ag", row.Aaguid), ("$sc", row.SignCount), ("$up", row.UserPresent), ("$uv", row.UserVerified),
                ("$be", row.BackupEligible), ("$bs", row.BackupState), ("$tr", row.Transports), ("$att", row.Attachment), ("$t", Iso(now)));
            return true;
        }, ct);

    /// <summary>Records a successful assertion: the new counter, flags and time of use.</summary>
    public Task RecordUseAsync(long id, long signCount, bool userVerified, bool backupState, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync((conn, tx) => conn.ExecuteAsync("""
            UPDATE passkey_credentials SET sign_count = $sc, user_verified = $uv, backup_state = $bs, last_used_at = $t, updated_at = $t
            WHERE id = $id
            """, tx, ct, ("$id", id), ("$sc", signCount), ("$uv", userVerified), ("$bs", backupState), ("$t", Iso(now))), ct);

    public Task MarkCloneWarningAsync(long id, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync((conn, tx) => conn.ExecuteAsync("UPDATE passkey_credentials SET clone_warning = 1, updated_at = $t WHERE id = $id",
            tx, ct, ("$id", id), ("$t", Iso(now))), ct);

    /// <summary>Hard delete (New API too: the unique indexes would otherwise block a new registration).</summary>
    public Task<bool> DeleteByUserAsync(long userId, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) => await conn.ExecuteAsync("DELETE FROM passkey_credentials WHERE user_id = $u", tx, ct, ("$u", userId)) > 0, ct);

    private static PasskeyRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), UserId = r.Long(1), CredentialId = r.Str(2), PublicKey = r.Str(3), AttestationType = r.Str(4), Aaguid = r.Str(5),
        SignCount = r.Long(6), CloneWarning = r.Bool(7), UserPresent = r.Bool(8), UserVerified = r.Bool(9), BackupEligible = r.Bool(10),
        BackupState = r.Bool(11), Transports = r.Str(12), Attachment = r.Str(13), LastUsedAt = r.StrOrNull(14), CreatedAt = r.Str(15),
    };

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}

public sealed record PasskeyRow
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public string CredentialId { get; init; } = "";
    public string PublicKey { get; init; } = "";
    public string AttestationType { get; init; } = "";
    public string Aaguid { get; init; } = "";
    public long SignCount { get; init; }
    public bool CloneWarning { get; init; }
    public bool UserPresent { get; init; }
    public bool UserVerified { get; init; }
    public bool BackupEligible { get; init; }
    public bool BackupState { get; init; }
    public string Transports { get; init; } = "";
    public string Attachment { get; init; } = "";
    public string? LastUsedAt { get; init; }
    public string CreatedAt { get; init; } = "";
}
