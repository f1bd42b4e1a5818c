using System.Security.Cryptography;
using System.Text;
using NewApi.Config;

namespace NewApi.Auth;

/// <summary>
/// Keys at rest: an HMAC-SHA256 lookup hash (so a stolen database yields no usable key) and AES-256-GCM encryption
/// (so the owner can still copy a key). Both keys are derived from CRYPTO_SECRET with HKDF, one per purpose.
/// </summary>
public sealed class SecretBox
{
    private const string Version = "v1:";
    private readonly string _secret;
    private byte[]? _hmacKey;
    private byte[]? _aesKey;

    public SecretBox(SecuritySection security)
    {
        if (string.IsNullOrEmpty(security.CryptoSecret)) throw new InvalidOperationException("crypto secret is not set");
        _secret = security.CryptoSecret;
    }

    // Derived on first use (idempotent, so a race derives the same bytes twice): a server that has not handled a key yet
    // has not loaded the crypto library (~3.5 MB resident) for it.
    private byte[] HmacKey => _hmacKey ??= Derive("newapi key lookup"u8);
    private byte[] AesKey => _aesKey ??= Derive("newapi key encryption"u8);

    private byte[] Derive(ReadOnlySpan<byte> info) => HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(_secret), 32, info: info.ToArray());

    public string LookupHash(string key)
    {
        Span<byte> mac = stackalloc byte[32];
        var len = Encoding.UTF8.GetByteCount(key);
        var buf = len <= 256 ? stackalloc byte[len] : new byte[len];
        Encoding.UTF8.GetBytes(key, buf);
        HMACSHA256.HashData(HmacKey, buf, mac);
        return Convert.ToHexStringLower(mac);
    }

    public string Encrypt(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var blob = new byte[12 + plain.Length + 16];
        var nonce = blob.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(AesKey, 16);
        aes.Encrypt(nonce, plain, blob.AsSpan(12, plain.Length), blob.AsSpan(12 + plain.Length, 16));
        return Version + Convert.ToBase64String(blob);
    }

    /// <summary>Decrypts a value made by <see cref="Encrypt"/>; a value without the prefix is returned as is (plaintext import).</summary>
    public string Decrypt(string stored)
    {
        if (!stored.StartsWith(Version, StringComparison.Ordinal)) return stored;
        var blob = Convert.FromBase64String(stored[Version.Length..]);
        if (blob.Length < 28) throw new CryptographicException("ciphertext too short");
        var plain = new byte[blob.Length - 28];
        using var aes = new AesGcm(AesKey, 16);
        aes.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(12, plain.Length), blob.AsSpan(12 + plain.Length, 16), plain);
        return Encoding.UTF8.GetString(plain);
    }

    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
