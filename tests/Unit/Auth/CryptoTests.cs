using NewApi.Auth;
using NewApi.Config;

namespace NewApi.Tests.Unit.Auth;

public sealed class CryptoTests
{
    private static readonly SecuritySection Security = new() { CryptoSecret = "unit-test-crypto-secret-0123456789", SessionSecret = "unit-test-session-secret-0123456789", PasswordIterations = 1000 };

    [Fact]
    public void Pbkdf2_VerifiesAndRejects()
    {
        var h = new PasswordHasher(Security);
        var hash = h.Hash("correct horse");
        Assert.StartsWith("pbkdf2_sha256$1000$", hash);
        Assert.True(h.Verify("correct horse", hash, out var rehash));
        Assert.False(rehash);
        Assert.False(h.Verify("wrong horse", hash, out _));
        Assert.NotEqual(hash, h.Hash("correct horse"));   // salted
    }

    [Fact]
    public void Pbkdf2_WithFewerIterationsThanConfigured_AsksForRehash()
    {
        var weak = new PasswordHasher(new SecuritySection { PasswordIterations = 1000 }).Hash("pw-pw-pw-pw");
        Assert.True(new PasswordHasher(new SecuritySection { PasswordIterations = 2000 }).Verify("pw-pw-pw-pw", weak, out var rehash));
        Assert.True(rehash);
    }

    [Fact]
    public void BcryptFromNewApi_VerifiesAndAsksForRehash()
    {
        var bcrypt = BCrypt.Net.BCrypt.HashPassword("imported-pass", 4);
        var h = new PasswordHasher(Security);
        Assert.True(h.Verify("imported-pass", bcrypt, out var rehash));
        Assert.True(rehash);
        Assert.False(h.Verify("other", bcrypt, out _));
    }

    [Fact]
    public void SecretBox_RoundTrips_LookupIsDeterministic_AndSecretsDiffer()
    {
        var box = new SecretBox(Security);
        var enc = box.Encrypt("sk-secret");
        Assert.NotEqual(enc, box.Encrypt("sk-secret"));   // random nonce
        Assert.Equal("sk-secret", box.Decrypt(enc));
        Assert.Equal(box.LookupHash("abc"), box.LookupHash("abc"));
        var other = new SecretBox(new SecuritySection { CryptoSecret = "another-secret-0123456789" });
        Assert.NotEqual(box.LookupHash("abc"), other.LookupHash("abc"));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => other.Decrypt(enc));
    }

    [Fact]
    public void Session_RoundTrips_AndRejectsTamperingAndForeignSecrets()
    {
        var s = new SessionService(Security, TimeProvider.System);
        var cookie = s.Encode(new SessionData { UserId = 7, IssuedAt = 1 });
        Assert.Equal(7, s.Decode(cookie)!.UserId);
        Assert.Null(s.Decode(cookie[..^2] + (cookie[^2..] == "AA" ? "BB" : "AA")));
        Assert.Null(s.Decode("garbage"));
        var other = new SessionService(new SecuritySection { SessionSecret = "different-session-secret-0123" }, TimeProvider.System);
        Assert.Null(other.Decode(cookie));
    }

    [Fact]
    public void ApiKeys_Are48AlphanumericCharacters()
    {
        var keys = Enumerable.Range(0, 50).Select(_ => RandomStrings.ApiKey()).ToList();
        Assert.All(keys, k => Assert.Matches("^[0-9A-Za-z]{48}$", k));
        Assert.Equal(50, keys.Distinct().Count());
    }
}
