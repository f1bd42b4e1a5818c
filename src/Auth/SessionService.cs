using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NewApi.Config;

namespace NewApi.Auth;

/// <summary>
/// Cookie <c>session</c> (name kept from New API): AES-256-GCM sealed JSON, HttpOnly, SameSite=Strict, Secure behind
/// HTTPS or when configured. Stateless, so every node with the same SESSION_SECRET accepts it.
/// </summary>
public sealed class SessionService
{
    public const string CookieName = "session";
    private byte[]? _key;
    private readonly SecuritySection _security;
    private readonly TimeProvider _time;

    public SessionService(SecuritySection security, TimeProvider time)
    {
        if (string.IsNullOrEmpty(security.SessionSecret)) throw new InvalidOperationException("session secret is not set");
        _security = security;
        _time = time;
    }

    /// <summary>Derived on first use: a server that has not seen a session yet has not loaded the crypto library for it.</summary>
    private byte[] Key => _key ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(_security.SessionSecret), 32, info: "newapi session"u8.ToArray());

    /// <summary>Reads the session once per request (cached in a feature).</summary>
    public SessionData Read(HttpContext ctx)
    {
        if (ctx.Features.Get<SessionFeature>() is { } f) return f.Data;
        var data = Decode(ctx.Request.Cookies[CookieName]) ?? new SessionData();
        if (data.IssuedAt > 0 && _time.GetUtcNow().ToUnixTimeSeconds() - data.IssuedAt > _security.SessionDays * 86400L) data = new SessionData();
        ctx.Features.Set(new SessionFeature(data));
        return data;
    }

    public void Write(HttpContext ctx, SessionData data)
    {
        ctx.Features.Set(new SessionFeature(data));
        if (data.IsEmpty)
        {
            Clear(ctx);
            return;
        }
        if (data.IssuedAt == 0) data.IssuedAt = _time.GetUtcNow().ToUnixTimeSeconds();
        ctx.Response.Cookies.Append(CookieName, Encode(data), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = _security.SessionCookieSecure || ctx.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromDays(_security.SessionDays),
        });
    }

    public void Clear(HttpContext ctx)
    {
        ctx.Features.Set(new SessionFeature(new SessionData()));
        ctx.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
    }

    public string Encode(SessionData data)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(data, AuthJson.Default.SessionData);
        var blob = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(blob.AsSpan(0, 12));
        using var aes = new AesGcm(Key, 16);
        aes.Encrypt(blob.AsSpan(0, 12), plain, blob.AsSpan(12, plain.Length), blob.AsSpan(12 + plain.Length, 16));
        return Base64Url(blob);
    }

    public SessionData? Decode(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 8192) return null;
        try
        {
            var blob = FromBase64Url(cookie);
            if (blob.Length < 28) return null;
            var plain = new byte[blob.Length - 28];
            using var aes = new AesGcm(Key, 16);
            aes.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(12, plain.Length), blob.AsSpan(12 + plain.Length, 16), plain);
            return JsonSerializer.Deserialize(plain, AuthJson.Default.SessionData);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or JsonException)
        {
            return null;   // tampered, from another secret, or from an older format: treated as no session
        }
    }

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var t = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(t.PadRight(t.Length + (4 - t.Length % 4) % 4, '='));
    }

    private sealed record SessionFeature(SessionData Data);
}
