using System.Security.Cryptography;
using OtpNet;

namespace NewApi.Auth.TwoFactor;

/// <summary>RFC 6238 TOTP as New API uses it: SHA-1, 6 digits, 30 s steps; one step of clock skew either way.</summary>
public static class Totp
{
    public const int StepSeconds = 30;

    /// <summary>A new 160-bit secret, base32 (what authenticator apps take).</summary>
    public static string NewSecret() => Base32Encoding.ToString(RandomNumberGenerator.GetBytes(20));

    /// <summary>Digits only, spaces ignored; null unless exactly six digits.</summary>
    public static string? CleanCode(string? code)
    {
        if (code is null) return null;
        var clean = code.Replace(" ", "", StringComparison.Ordinal).Trim();
        return clean.Length == 6 && clean.All(char.IsAsciiDigit) ? clean : null;
    }

    /// <summary>True when <paramref name="code"/> matches the step of <paramref name="now"/> ±1; <paramref name="step"/> is the matched step.</summary>
    public static bool Matches(string base32Secret, string code, DateTimeOffset now, out long step)
    {
        step = 0;
        byte[] key;
        try
        {
            key = Base32Encoding.ToBytes(base32Secret);
        }
        catch (ArgumentException)
        {
            return false;
        }
        var totp = new OtpNet.Totp(key, StepSeconds, OtpHashMode.Sha1, 6);
        return totp.VerifyTotp(now.UtcDateTime, code, out step, new VerificationWindow(previous: 1, future: 1));
    }

    public static string OtpAuthUri(string issuer, string username, string secret)
    {
        var i = Uri.EscapeDataString(issuer);
        return $"otpauth://totp/{i}:{Uri.EscapeDataString(username)}?secret={secret}&issuer={i}&digits=6&period={StepSeconds}";
    }
}
