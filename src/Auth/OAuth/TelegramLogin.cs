using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace NewApi.Auth.OAuth;

/// <summary>
/// Telegram login widget check: HMAC-SHA256 over the sorted <c>key=value</c> lines (hash excluded) with key
/// SHA-256(bot token), compared in constant time, and the widget's auth_date must be recent.
/// </summary>
public static class TelegramLogin
{
    /// <summary>How old a widget answer may be (Telegram's guidance is to reject outdated data; a day, like their examples).</summary>
    public const long MaxAgeSeconds = 86_400;
    private const long FutureSkewSeconds = 60;

    public enum Check { Ok, Invalid, Stale }

    public static Check Verify(IQueryCollection query, string botToken, long now, out string telegramId)
    {
        telegramId = query["id"].ToString();
        var hash = query["hash"].ToString();
        if (botToken.Length == 0 || hash.Length != 64 || telegramId.Length == 0) return Check.Invalid;
        var lines = query.Where(kv => kv.Key != "hash").Select(kv => kv.Key + "=" + kv.Value.ToString()).ToList();
        lines.Sort(StringComparer.Ordinal);
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(botToken));
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        byte[] given;
        try
        {
            given = Convert.FromHexString(hash);
        }
        catch (FormatException)
        {
            return Check.Invalid;
        }
        // NewApi: New API compared hex strings with ==; this compare takes the same time for every wrong hash.
        if (!CryptographicOperations.FixedTimeEquals(mac, given)) return Check.Invalid;
        // NewApi: New API never looked at auth_date, so a captured login link worked forever.
        if (!long.TryParse(query["auth_date"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var authDate)) return Check.Invalid;
        return now - authDate > MaxAgeSeconds || authDate - now > FutureSkewSeconds ? Check.Stale : Check.Ok;
    }
}
