using System.Globalization;
using System.Text.Json;
using NewApi.Common;
using NewApi.Storage.Options;

namespace NewApi.Admin.Options;

/// <summary>
/// Typed validation of PUT /api/option/. Unlike New API (which persists any key and parses JSON only after saving),
/// unknown keys are refused and every value is checked before it is stored.
/// </summary>
public sealed class OptionValidator
{
    /// <summary>Keys with no default string (ratio tables default in Billing; console layout is free JSON).</summary>
    private static readonly HashSet<string> ExtraKeys = new(StringComparer.Ordinal)
    {
        "ModelRatio", "ModelPrice", "CompletionRatio", "CacheRatio", "CreateCacheRatio", "ImageRatio", "AudioRatio",
        "AudioCompletionRatio", "HeaderNavModules", "SidebarModulesAdmin", "billing_setting.billing_mode", "billing_setting.billing_expr",
        "tool_price_setting.prices", "ApiInfo", "Announcements", "FAQ", "UptimeKumaUrl", "UptimeKumaSlug",
    };

    private static readonly string[] JsonObjectKeys =
        ["ModelRatio", "ModelPrice", "CompletionRatio", "CacheRatio", "CreateCacheRatio", "ImageRatio", "AudioRatio", "AudioCompletionRatio"];

    public static bool IsSecret(string key) =>
        key.EndsWith("Token", StringComparison.Ordinal) || key.EndsWith("Secret", StringComparison.Ordinal)
        || key.EndsWith("Key", StringComparison.Ordinal) || key.EndsWith("secret", StringComparison.Ordinal)
        || key.EndsWith("api_key", StringComparison.Ordinal) || key.EndsWith("_key", StringComparison.Ordinal)
        || key is "SMTPAccount" or "StripeApiSecret" or "EpayKey" or "WorkerValidKey";

    public static bool IsKnown(string key) => OptionDefaults.All.ContainsKey(key) || ExtraKeys.Contains(key);

    public string? Validate(string key, string value, OptionsSnapshot current)
    {
        if (!IsKnown(key)) return $"未知的配置项: {key}";
        if (key.StartsWith("payment_setting.compliance_", StringComparison.Ordinal)) return "该配置项只能通过合规确认接口修改";
        if (OptionDefaults.All.TryGetValue(key, out var def))
        {
            if (def is "true" or "false" && value is not ("true" or "false")) return $"{key} 必须是 true 或 false";
            if (IsNumber(def) && !IsNumber(value)) return $"{key} 必须是数字";
            if (def.StartsWith('{') && !IsJson(value, JsonValueKind.Object)) return $"{key} 必须是 JSON 对象";
            if (def.StartsWith('[') && !IsJson(value, JsonValueKind.Array)) return $"{key} 必须是 JSON 数组";
        }
        if (Array.IndexOf(JsonObjectKeys, key) >= 0 && !IsNumberMap(value)) return $"{key} 必须是 模型名→数字 的 JSON 对象";
        return key switch
        {
            "GroupRatio" or "TopupGroupRatio" => IsNumberMap(value, nonNegative: true) ? null : $"{key} 必须是 分组→非负数字 的 JSON 对象",
            "QuotaPerUnit" => Double(value) > 0 ? null : "QuotaPerUnit 必须大于 0",
            "RetryTimes" => Long(value) is >= 0 and <= 10 ? null : "RetryTimes 必须在 0 到 10 之间",
            "theme.frontend" => value is "default" or "classic" ? null : "theme.frontend 只能是 default 或 classic",
            "general_setting.quota_display_type" => value is "USD" or "CNY" or "TOKENS" or "CUSTOM" ? null : "无效的额度显示类型",
            "AutomaticDisableStatusCodes" or "AutomaticRetryStatusCodes" => StatusCodeRanges.TryParse(value, out _) ? null : $"{key} 格式错误，例如 401,429,500-599",
            "ModelRequestRateLimitGroup" => ValidRateLimitGroup(value),
            "EmailDomainRestrictionEnabled" when value == "true" && current.Get("EmailDomainWhitelist").Trim().Length == 0 => "请先填写邮箱域名白名单",
            "GitHubOAuthEnabled" when value == "true" && current.Get("GitHubClientId").Length == 0 => "请先填写 GitHub Client Id",
            "discord.enabled" when value == "true" && current.Get("discord.client_id").Length == 0 => "请先填写 Discord Client Id",
            "oidc.enabled" when value == "true" && current.Get("oidc.client_id").Length == 0 => "请先填写 OIDC Client Id",
            "LinuxDOOAuthEnabled" when value == "true" && current.Get("LinuxDOClientId").Length == 0 => "请先填写 LinuxDO Client Id",
            "WeChatAuthEnabled" when value == "true" && current.Get("WeChatServerAddress").Length == 0 => "请先填写微信服务器地址",
            "TurnstileCheckEnabled" when value == "true" && current.Get("TurnstileSiteKey").Length == 0 => "请先填写 Turnstile Site Key",
            "TelegramOAuthEnabled" when value == "true" && current.Get("TelegramBotToken").Length == 0 => "请先填写 Telegram Bot Token",
            "QuotaForInviter" or "QuotaForInvitee" when Long(value) > 0 && !current.GetBool("payment_setting.compliance_confirmed")
                => "请先完成支付合规确认",
            "console_setting.api_info" or "console_setting.announcements" or "console_setting.faq" or "console_setting.uptime_kuma_groups"
                => ValidConsoleArray(key, value),
            _ => null,
        };
    }

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    private static double Double(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
    private static long? Long(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null;

    private static bool IsJson(string s, JsonValueKind kind)
    {
        try
        {
            using var doc = JsonDocument.Parse(s);
            return doc.RootElement.ValueKind == kind;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsNumberMap(string s, bool nonNegative = false)
    {
        try
        {
            using var doc = JsonDocument.Parse(s);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Value.ValueKind != JsonValueKind.Number || (nonNegative && p.Value.GetDouble() < 0)) return false;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? ValidRateLimitGroup(string s)
    {
        try
        {
            using var doc = JsonDocument.Parse(s);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return "ModelRequestRateLimitGroup 必须是 JSON 对象";
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Array || p.Value.GetArrayLength() != 2) return $"分组 {p.Name} 必须是 [总数, 成功数]";
                var total = p.Value[0].TryGetInt64(out var t) ? t : -1;
                var success = p.Value[1].TryGetInt64(out var ok) ? ok : 0;
                if (total < 0 || success < 1) return $"分组 {p.Name}: 总数必须 ≥ 0，成功数必须 ≥ 1";
            }
            return null;
        }
        catch (JsonException)
        {
            return "ModelRequestRateLimitGroup 不是合法的 JSON";
        }
    }

    private static string? ValidConsoleArray(string key, string s)
    {
        try
        {
            using var doc = JsonDocument.Parse(s);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return $"{key} 必须是 JSON 数组";
            foreach (var e in doc.RootElement.EnumerateArray())
                if (e.ValueKind != JsonValueKind.Object) return $"{key} 的每一项必须是对象";
            if (key == "console_setting.uptime_kuma_groups")
                foreach (var e in doc.RootElement.EnumerateArray())
                {
                    var url = e.TryGetProperty("url"u8, out var u) ? u.GetString() ?? "" : "";
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return "Uptime Kuma 地址必须是 http(s) URL";
                    if (!e.TryGetProperty("slug"u8, out var slug) || string.IsNullOrWhiteSpace(slug.GetString())) return "Uptime Kuma slug 不能为空";
                }
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return $"{key} 不是合法的 JSON";
        }
    }
}

