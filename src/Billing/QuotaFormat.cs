using System.Globalization;
using NewApi.Storage.Options;

namespace NewApi.Billing;

/// <summary>Quota as New API shows it in messages and log text: ＄0.001000 额度, ¥…, a custom symbol, or N 点额度.</summary>
public static class QuotaFormat
{
    public static string Display(long quota, OptionsSnapshot o)
    {
        var usd = quota / o.QuotaPerUnit;
        return o.Get("general_setting.quota_display_type", "USD") switch
        {
            "TOKENS" => quota.ToString(CultureInfo.InvariantCulture) + " 点额度",
            "CNY" => "¥" + (usd * o.GetDouble("USDExchangeRate", 7.3)).ToString("F6", CultureInfo.InvariantCulture) + " 额度",
            "CUSTOM" => o.Get("general_setting.custom_currency_symbol", "¤")
                        + (usd * o.GetDouble("general_setting.custom_currency_exchange_rate", 1)).ToString("F6", CultureInfo.InvariantCulture) + " 额度",
            _ => "＄" + usd.ToString("F6", CultureInfo.InvariantCulture) + " 额度",
        };
    }
}
