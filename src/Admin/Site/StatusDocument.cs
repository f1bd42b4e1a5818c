using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Common;
using NewApi.Storage.Options;

namespace NewApi.Admin.Site;

/// <summary>GET /api/status data: every key New API's console reads, always present.</summary>
public static class StatusDocument
{
    public static JsonObject Build(OptionsSnapshot o, bool setup, long startTime)
    {
        var displayType = o.Get("general_setting.quota_display_type", "USD");
        var d = new JsonObject
        {
            ["version"] = BuildInfo.Version,
            ["start_time"] = startTime,
            ["email_verification"] = o.GetBool("EmailVerificationEnabled"),
            ["github_oauth"] = o.GetBool("GitHubOAuthEnabled"),
            ["github_client_id"] = o.Get("GitHubClientId"),
            ["discord_oauth"] = o.GetBool("discord.enabled"),
            ["discord_client_id"] = o.Get("discord.client_id"),
            ["linuxdo_oauth"] = o.GetBool("LinuxDOOAuthEnabled"),
            ["linuxdo_client_id"] = o.Get("LinuxDOClientId"),
            ["linuxdo_minimum_trust_level"] = o.GetLong("LinuxDOMinimumTrustLevel"),
            ["telegram_oauth"] = o.GetBool("TelegramOAuthEnabled"),
            ["telegram_bot_name"] = o.Get("TelegramBotName"),
            ["theme"] = o.Get("theme.frontend", "classic"),
            ["system_name"] = o.Get("SystemName"),
            ["logo"] = o.Get("Logo"),
            ["footer_html"] = HtmlSanitizer.Clean(o.Get("Footer")),
            ["wechat_qrcode"] = o.Get("WeChatAccountQRCodeImageURL"),
            ["wechat_login"] = o.GetBool("WeChatAuthEnabled"),
            ["server_address"] = o.Get("ServerAddress"),
            ["turnstile_check"] = o.GetBool("TurnstileCheckEnabled"),
            ["turnstile_site_key"] = o.Get("TurnstileSiteKey"),
            ["docs_link"] = o.Get("general_setting.docs_link"),
            ["quota_per_unit"] = o.QuotaPerUnit,
            ["display_in_currency"] = displayType != "TOKENS",
            ["quota_display_type"] = displayType,
            ["custom_currency_symbol"] = o.Get("general_setting.custom_currency_symbol"),
            ["custom_currency_exchange_rate"] = o.GetDouble("general_setting.custom_currency_exchange_rate", 1),
            ["enable_batch_update"] = true,
            ["enable_drawing"] = o.GetBool("DrawingEnabled"),
            ["enable_task"] = o.GetBool("TaskEnabled"),
            ["enable_data_export"] = o.GetBool("DataExportEnabled"),
            ["data_export_default_time"] = o.Get("DataExportDefaultTime"),
            ["default_collapse_sidebar"] = o.GetBool("DefaultCollapseSidebar"),
            ["mj_notify_enabled"] = o.GetBool("MjNotifyEnabled"),
            ["chats"] = ParseOr(o.Get("Chats"), new JsonArray()),
            ["demo_site_enabled"] = o.GetBool("DemoSiteEnabled"),
            ["self_use_mode_enabled"] = o.GetBool("SelfUseModeEnabled"),
            ["register_enabled"] = o.GetBool("RegisterEnabled"),
            ["password_login_enabled"] = o.GetBool("PasswordLoginEnabled"),
            ["password_register_enabled"] = o.GetBool("PasswordRegisterEnabled"),
            ["default_use_auto_group"] = o.GetBool("DefaultUseAutoGroup"),
            ["usd_exchange_rate"] = o.GetDouble("USDExchangeRate", 7.3),
            ["price"] = o.GetDouble("Price", 7.3),
            ["stripe_unit_price"] = o.GetDouble("StripeUnitPrice", 8),
            ["api_info_enabled"] = o.GetBool("console_setting.api_info_enabled"),
            ["uptime_kuma_enabled"] = o.GetBool("console_setting.uptime_kuma_enabled"),
            ["announcements_enabled"] = o.GetBool("console_setting.announcements_enabled"),
            ["faq_enabled"] = o.GetBool("console_setting.faq_enabled"),
            ["HeaderNavModules"] = o.Get("HeaderNavModules"),
            ["SidebarModulesAdmin"] = o.Get("SidebarModulesAdmin"),
            ["oidc_enabled"] = o.GetBool("oidc.enabled"),
            ["oidc_client_id"] = o.Get("oidc.client_id"),
            ["oidc_authorization_endpoint"] = o.Get("oidc.authorization_endpoint"),
            ["passkey_login"] = o.GetBool("passkey.enabled"),
            ["passkey_display_name"] = o.Get("passkey.rp_display_name"),
            ["passkey_rp_id"] = o.Get("passkey.rp_id"),
            ["passkey_origins"] = o.Get("passkey.origins"),
            ["passkey_allow_insecure"] = o.GetBool("passkey.allow_insecure_origin"),
            ["passkey_user_verification"] = o.Get("passkey.user_verification"),
            ["passkey_attachment"] = o.Get("passkey.attachment_preference"),
            ["setup"] = setup,
            ["user_agreement_enabled"] = o.Get("legal.user_agreement").Length > 0,
            ["privacy_policy_enabled"] = o.Get("legal.privacy_policy").Length > 0,
            ["checkin_enabled"] = o.GetBool("checkin_setting.enabled"),
        };
        if (o.GetBool("console_setting.api_info_enabled")) d["api_info"] = ParseOr(o.Get("console_setting.api_info"), new JsonArray());
        if (o.GetBool("console_setting.announcements_enabled")) d["announcements"] = ParseOr(o.Get("console_setting.announcements"), new JsonArray());
        if (o.GetBool("console_setting.faq_enabled")) d["faq"] = ParseOr(o.Get("console_setting.faq"), new JsonArray());
        return d;
    }

    private static JsonNode ParseOr(string json, JsonNode fallback)
    {
        if (string.IsNullOrWhiteSpace(json)) return fallback;
        try
        {
            return JsonNode.Parse(json) ?? fallback;
        }
        catch (JsonException)
        {
            return fallback;
        }
    }
}
