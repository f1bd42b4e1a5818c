using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using NewApi.Storage.Verification;

namespace NewApi.Auth.Email;

/// <summary>
/// Issues and checks e-mail codes. Stored as HMAC-SHA256 (keyed from CRYPTO_SECRET) of purpose, subject and code;
/// compared in constant time; single-use; valid <see cref="ValidMinutes"/> minutes; at most
/// <see cref="VerificationCodeRepository.MaxAttempts"/> guesses per code.
/// </summary>
public sealed class VerificationCodes(VerificationCodeRepository repo, SecretBox box, TimeProvider time)
{
    /// <summary>New API's purposes: "v" e-mail verification (register, bind), "r" password reset.</summary>
    public const string EmailVerification = "v";
    public const string PasswordReset = "r";
    public const int ValidMinutes = 10;

    /// <summary>A fresh code (6 hex characters for verification, 32 for reset links, as New API), replacing any earlier one.</summary>
    public async Task<string> IssueAsync(string purpose, string subject, CancellationToken ct)
    {
        var code = purpose == PasswordReset ? RandomStrings.Hex(16) : RandomStrings.Hex(3);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await repo.StoreAsync(purpose, Normalise(subject), Hash(purpose, Normalise(subject), code), now + ValidMinutes * 60, now, ct);
        return code;
    }

    public Task<CodeCheck> ConsumeAsync(string purpose, string subject, string code, CancellationToken ct) =>
        repo.ConsumeAsync(purpose, Normalise(subject), Matcher(purpose, subject, code), time.GetUtcNow().ToUnixTimeSeconds(), ct);

    /// <summary>Checks and consumes inside the caller's write transaction.</summary>
    public Task<CodeCheck> ConsumeAsync(SqliteConnection conn, SqliteTransaction tx, string purpose, string subject, string code, CancellationToken ct) =>
        VerificationCodeRepository.ConsumeAsync(conn, tx, purpose, Normalise(subject), Matcher(purpose, subject, code),
            time.GetUtcNow().ToUnixTimeSeconds(), ct);

    private Func<string, bool> Matcher(string purpose, string subject, string code)
    {
        var expected = Encoding.ASCII.GetBytes(Hash(purpose, Normalise(subject), code.Trim().ToLowerInvariant()));
        return stored => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), expected);
    }

    private string Hash(string purpose, string subject, string code) => box.LookupHash("verification\n" + purpose + "\n" + subject + "\n" + code);

    private static string Normalise(string subject) => subject.Trim().ToLowerInvariant();
}
