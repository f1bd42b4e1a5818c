using System.Globalization;
using NewApi.Storage.Options;

namespace NewApi.Storage.Users;

/// <summary>New API's quota wording in log text ("＄0.002000 额度", "¥…", custom symbol, or "N 点额度").</summary>
public static class QuotaText
{
    public static string Format(long quota, OptionsSnapshot o)
    {
        var perUnit = o.QuotaPerUnit <= 0 ? 500000 : o.QuotaPerUnit;
        var usd = quota / perUnit;
        return o.Get("general_setting.quota_display_type", "USD").ToUpperInvariant() switch
        {
            "TOKENS" => quota.ToString(CultureInfo.InvariantCulture) + " 点额度",
            "CNY" => "¥" + (usd * o.GetDouble("USDExchangeRate", 7.3)).ToString("F6", CultureInfo.InvariantCulture) + " 额度",
            "CUSTOM" => o.Get("general_setting.custom_currency_symbol", "¤")
                        + (usd * o.GetDouble("general_setting.custom_currency_exchange_rate", 1)).ToString("F6", CultureInfo.InvariantCulture) + " 额度",
            _ => "＄" + usd.ToString("F6", CultureInfo.InvariantCulture) + " 额度",
        };
    }
}
