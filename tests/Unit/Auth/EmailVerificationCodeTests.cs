using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NewApi.Auth;
using NewApi.Auth.Email;
using NewApi.Config;
using NewApi.Storage;
using NewApi.Storage.Verification;

namespace NewApi.Tests.Unit.Auth;

/// <summary>Codes against a real migrated SQLite file, with a fake clock.</summary>
public sealed class EmailVerificationCodeTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-codes-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SecretBox _box = new(new SecuritySection { CryptoSecret = "unit-test-crypto-secret" });
    private SqliteDb _db = null!;

    private string DbPath => Path.Combine(_dir.FullName, "codes.db");

    public async ValueTask InitializeAsync()
    {
        _db = new SqliteDb(DbPath);
        await new Migrator(_db).MigrateAsync(_time, CancellationToken.None);
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private VerificationCodes Codes(SqliteDb? db = null) => new(new VerificationCodeRepository(db ?? _db), _box, _time);

    [Fact]
    public async Task Code_IsSingleUse_AndCaseInsensitiveOnSubject()
    {
        var codes = Codes();
        var code = await codes.IssueAsync(VerificationCodes.EmailVerification, "Alice@Example.com", default);
        Assert.Matches("^[0-9a-f]{6}$", code);
        Assert.Equal(CodeCheck.Ok, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "alice@example.com", code.ToUpperInvariant(), default));
        Assert.Equal(CodeCheck.Missing, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "alice@example.com", code, default));
    }

    [Fact]
    public async Task Code_IsBoundToPurposeAndSubject()
    {
        var codes = Codes();
        var code = await codes.IssueAsync(VerificationCodes.EmailVerification, "a@example.com", default);
        Assert.Equal(CodeCheck.Missing, await codes.ConsumeAsync(VerificationCodes.PasswordReset, "a@example.com", code, default));
        Assert.Equal(CodeCheck.Missing, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "b@example.com", code, default));
        Assert.Equal(CodeCheck.Ok, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "a@example.com", code, default));
    }

    [Fact]
    public async Task Code_ExpiresAfterTenMinutes()
    {
        var codes = Codes();
        var code = await codes.IssueAsync(VerificationCodes.EmailVerification, "late@example.com", default);
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Equal(CodeCheck.Missing, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "late@example.com", code, default));
    }

    [Fact]
    public async Task FiveWrongGuesses_KillTheCode()
    {
        var codes = Codes();
        var code = await codes.IssueAsync(VerificationCodes.EmailVerification, "guess@example.com", default);
        for (var i = 0; i < VerificationCodeRepository.MaxAttempts; i++)
            Assert.Equal(CodeCheck.Mismatch, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "guess@example.com", "zzzzzz", default));
        Assert.Equal(CodeCheck.Missing, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "guess@example.com", code, default));
    }

    [Fact]
    public async Task NewCode_ReplacesTheOldOne()
    {
        var codes = Codes();
        var first = await codes.IssueAsync(VerificationCodes.EmailVerification, "again@example.com", default);
        var second = await codes.IssueAsync(VerificationCodes.EmailVerification, "again@example.com", default);
        if (first != second)
            Assert.Equal(CodeCheck.Mismatch, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "again@example.com", first, default));
        Assert.Equal(CodeCheck.Ok, await codes.ConsumeAsync(VerificationCodes.EmailVerification, "again@example.com", second, default));
    }

    /// <summary>NewApi: New API kept codes in process memory; here a second process (new connection pool, new objects) still accepts it.</summary>
    [Fact]
    public async Task Code_SurvivesARestart_AndIsStoredOnlyAsAHash()
    {
        var code = await Codes().IssueAsync(VerificationCodes.PasswordReset, "restart@example.com", default);
        Assert.Matches("^[0-9a-f]{32}$", code);
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        _db = new SqliteDb(DbPath);
        await using (var conn = await _db.OpenAsync())
        {
            var stored = await conn.ScalarStringAsync("SELECT group_concat(code_hash || subject) FROM verification_codes", null, default);
            Assert.DoesNotContain(code, stored!, StringComparison.Ordinal);
        }
        Assert.Equal(CodeCheck.Ok, await Codes().ConsumeAsync(VerificationCodes.PasswordReset, "restart@example.com", code, default));
    }
}
