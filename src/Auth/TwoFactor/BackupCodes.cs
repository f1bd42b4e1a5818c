using System.Security.Cryptography;
using System.Text;

namespace NewApi.Auth.TwoFactor;

/// <summary>
/// 2FA backup codes: 4 codes of 8 characters from [A-Z0-9], shown as XXXX-XXXX, accepted with or without the dash and
/// in any case. Stored as PBKDF2-SHA256 (a code has ~41 bits of entropy and is single-use, so 20k iterations keep a
/// login attempt that checks four hashes fast); bcrypt hashes imported from New API are verified too.
/// </summary>
public static class BackupCodes
{
    public const int Count = 4;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int Iterations = 20_000;
    private const string Prefix = "pbkdf2_sha256";

    public static List<string> Generate()
    {
        var list = new List<string>(Count);
        for (var i = 0; i < Count; i++)
        {
            var raw = RandomNumberGenerator.GetString(Alphabet, 8);
            list.Add(raw[..4] + "-" + raw[4..]);
        }
        return list;
    }

    /// <summary>Upper-cases and drops dashes/spaces; null unless exactly 8 characters of [A-Z0-9] remain.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return null;
        var sb = new StringBuilder(8);
        foreach (var ch in input)
        {
            if (ch is '-' or ' ') continue;
            var up = char.ToUpperInvariant(ch);
            if (!(up is >= 'A' and <= 'Z' || up is >= '0' and <= '9') || sb.Length == 8) return null;
            sb.Append(up);
        }
        return sb.Length == 8 ? sb.ToString() : null;
    }

    public static string Hash(string code)
    {
        var normalized = Normalize(code) ?? throw new ArgumentException("not a backup code", nameof(code));
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(normalized), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Prefix}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks a normalized code against a stored hash.</summary>
    public static bool Verify(string normalized, string stored)
    {
        if (stored.StartsWith("$2", StringComparison.Ordinal))
        {
            // New API bcrypt-hashed the code as shown (XXXX-XXXX); accept either form of an imported hash.
            return SafeBcrypt(normalized[..4] + "-" + normalized[4..], stored) || SafeBcrypt(normalized, stored);
        }
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix || !int.TryParse(parts[1], out var iterations) || iterations <= 0) return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(normalized), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool SafeBcrypt(string code, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(code, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
