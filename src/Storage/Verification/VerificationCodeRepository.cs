using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Verification;

public enum CodeCheck { Ok, Missing, Mismatch }

/// <summary>
/// E-mail verification and password-reset codes (table verification_codes). Only a hash is stored; a code is
/// single-use, expires, and dies after <see cref="MaxAttempts"/> wrong guesses. New API kept codes in process
/// memory, never consumed them on registration and counted no attempts.
/// </summary>
public sealed class VerificationCodeRepository(SqliteDb db)
{
    public const int MaxAttempts = 5;

    private const string FindSql = """
        SELECT id, code_hash, attempts FROM verification_codes
        WHERE purpose = $p AND subject = $s AND expires_at > $now ORDER BY id DESC LIMIT 1
        """;

    /// <summary>Stores a new code for (purpose, subject), replacing any earlier one, and sweeps expired rows.</summary>
    public Task StoreAsync(string purpose, string subject, string codeHash, long expiresAt, long now, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM verification_codes WHERE expires_at <= $now", tx, ct, ("$now", now));
            await c.ExecuteAsync("DELETE FROM verification_codes WHERE purpose = $p AND subject = $s", tx, ct, ("$p", purpose), ("$s", subject));
            await c.ExecuteAsync("""
                INSERT INTO verification_codes(purpose, subject, code_hash, attempts, expires_at, created_at) VALUES ($p, $s, $h, 0, $e, $now)
                """, tx, ct, ("$p", purpose), ("$s", subject), ("$h", codeHash), ("$e", expiresAt), ("$now", now));
        }, ct);

    public Task<CodeCheck> ConsumeAsync(string purpose, string subject, Func<string, bool> matches, long now, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => ConsumeAsync(c, tx, purpose, subject, matches, now, ct), ct);

    /// <summary>
    /// Checks a code inside the caller's write transaction (so registration consumes the code and creates the user
    /// atomically). A match deletes the code; a miss counts an attempt and deletes the code at the limit.
    /// </summary>
    public static async Task<CodeCheck> ConsumeAsync(SqliteConnection conn, SqliteTransaction tx, string purpose, string subject,
        Func<string, bool> matches, long now, CancellationToken ct)
    {
        var row = await conn.QuerySingleAsync(FindSql, tx, r => new Row(r.Long(0), r.Str(1), r.Long(2)), ct,
            ("$p", purpose), ("$s", subject), ("$now", now));
        if (row is null) return CodeCheck.Missing;
        if (row.Attempts >= MaxAttempts)
        {
            await conn.ExecuteAsync("DELETE FROM verification_codes WHERE id = $id", tx, ct, ("$id", row.Id));
            return CodeCheck.Missing;
        }
        if (matches(row.Hash))
        {
            await conn.ExecuteAsync("DELETE FROM verification_codes WHERE id = $id", tx, ct, ("$id", row.Id));
            return CodeCheck.Ok;
        }
        if (row.Attempts + 1 >= MaxAttempts)
            await conn.ExecuteAsync("DELETE FROM verification_codes WHERE id = $id", tx, ct, ("$id", row.Id));
        else
            await conn.ExecuteAsync("UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $id", tx, ct, ("$id", row.Id));
        return CodeCheck.Mismatch;
    }

    private sealed record Row(long Id, string Hash, long Attempts);
}
