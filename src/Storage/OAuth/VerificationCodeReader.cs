using System.Security.Cryptography;
using System.Text;

namespace NewApi.Storage.OAuth;

/// <summary>
/// Checks a code from verification_codes (written by the e-mail verification flow): newest unexpired row for
/// (purpose, subject), code_hash = SHA-256 hex of the lower-cased code. A match consumes the row (single use); a miss
/// counts an attempt and the row stops matching after <see cref="MaxAttempts"/> misses (New API had no limit).
/// </summary>
public sealed class VerificationCodeReader(SqliteDb db)
{
    public const int MaxAttempts = 5;

    public Task<bool> TryConsumeAsync(string purpose, string subject, string code, long now, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToLowerInvariant())));
        return db.WriteAsync(async (conn, tx) =>
        {
            var rows = await conn.QueryAsync("""
                SELECT id, code_hash FROM verification_codes
                WHERE purpose = $p AND subject = $s AND expires_at > $now AND attempts < $max
                ORDER BY id DESC LIMIT 1
                """, tx, r => (Id: r.Long(0), Hash: r.Str(1)), ct, ("$p", purpose), ("$s", subject), ("$now", now), ("$max", MaxAttempts));
            if (rows.Count == 0) return false;
            var (id, stored) = rows[0];
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.ToLowerInvariant()), Encoding.ASCII.GetBytes(hash)))
            {
                await conn.ExecuteAsync("DELETE FROM verification_codes WHERE id = $id", tx, ct, ("$id", id));
                return true;
            }
            await conn.ExecuteAsync("UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $id", tx, ct, ("$id", id));
            return false;
        }, ct);
    }
}
