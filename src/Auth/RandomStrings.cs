using System.Security.Cryptography;

namespace NewApi.Auth;

public static class RandomStrings
{
    private const string Alphanumeric = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>new-api API key body: 48 characters of [0-9a-zA-Z] from a CSPRNG (clients see it as sk-…).</summary>
    public static string ApiKey() => RandomNumberGenerator.GetString(Alphanumeric, 48);

    public static string Alnum(int length) => RandomNumberGenerator.GetString(Alphanumeric, length);

    public static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>System access token: base64 of 24 random bytes (32 chars), as the console expects.</summary>
    public static string AccessToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}
