using System.Security.Cryptography;
using System.Text;
using NewApi.Config;

namespace NewApi.Auth;

/// <summary>
/// PBKDF2-SHA256 (iterations from config, 600k by default) with a 16-byte salt, stored as
/// <c>pbkdf2_sha256$iterations$salt$hash</c>. bcrypt hashes from an imported New API database are verified too and
/// flagged for a rehash at the next successful login.
/// </summary>
public sealed class PasswordHasher(SecuritySection security)
{
    private const string Prefix = "pbkdf2_sha256";

    public string Hash(string password)
    {
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, security.PasswordIterations, HashAlgorithmName.SHA256, 32);
        return $"{Prefix}${security.PasswordIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public bool Verify(string password, string stored, out bool needsRehash)
    {
        needsRehash = false;
        if (string.IsNullOrEmpty(stored) || password.Length == 0) return false;
        if (stored.StartsWith("$2", StringComparison.Ordinal))
        {
            var ok = BCrypt.Net.BCrypt.Verify(password, stored);
            needsRehash = ok;
            return ok;
        }
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix || !int.TryParse(parts[1], out var iterations)) return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        var match = CryptographicOperations.FixedTimeEquals(actual, expected);
        needsRehash = match && iterations < security.PasswordIterations;
        return match;
    }
}
