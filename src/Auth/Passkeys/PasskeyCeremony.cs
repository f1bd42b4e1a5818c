using System.Globalization;
using System.Security.Cryptography;

namespace NewApi.Auth.Passkeys;

/// <summary>
/// A ceremony's challenge, kept in the (encrypted) session: bound to it, single-use (removed when finish reads it) and
/// expiring after <see cref="LifetimeSeconds"/> (New API's go-webauthn timeout, 2 minutes).
/// </summary>
public static class PasskeyCeremony
{
    public const long LifetimeSeconds = 120;
    public const string Register = "pk_reg";
    public const string Login = "pk_login";
    public const string Verify = "pk_verify";

    public static string Begin(SessionData session, string kind, long userId, long now)
    {
        var challenge = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        session.Extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
        session.Extra[kind] = string.Join('|', challenge, (now + LifetimeSeconds).ToString(CultureInfo.InvariantCulture),
            userId.ToString(CultureInfo.InvariantCulture));
        return challenge;
    }

    /// <summary>Takes the pending challenge out of the session; null when absent, expired or started by another user.</summary>
    public static string? Take(SessionData session, string kind, long userId, long now)
    {
        if (session.Extra is null || !session.Extra.Remove(kind, out var raw)) return null;
        if (session.Extra.Count == 0) session.Extra = null;
        var parts = raw.Split('|');
        if (parts.Length != 3 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var expires)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var owner)) return null;
        return now <= expires && owner == userId ? parts[0] : null;
    }
}
