using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Auth.Registration;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Users;

namespace NewApi.Admin.Users;

/// <summary>PUT /api/user/setting: the user's quota-warning notification channel (email, webhook, bark, gotify).</summary>
public static class UserSettingUpdate
{
    private static readonly string[] NotifyKeys =
    [
        "notify_type", "quota_warning_threshold", "webhook_url", "webhook_secret", "notification_email", "bark_url", "gotify_url",
        "gotify_token", "gotify_priority", "upstream_model_update_notify_enabled", "accept_unset_model_ratio_model", "record_ip_log",
    ];

    public static async Task<Reply> UpdateAsync(HttpContext ctx, UserRepository users, CancellationToken ct)
    {
        var req = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.UserNotifySettingRequest, ct);
        if (req is null) return Api.Fail("无效的参数");
        if (Validate(req) is { } error) return Api.Fail(error);
        var caller = ctx.CurrentUser();
        var me = await users.FindAsync(caller.Id, ct);
        if (me is null) return Api.Fail("用户不存在");
        await users.UpdateSettingAsync(me.Id, Merge(me.Setting, req, caller.IsAdmin), ct);
        return Api.Message("设置已更新");
    }

    private static string? Validate(UserNotifySettingRequest r)
    {
        if (r.NotifyType is not ("email" or "webhook" or "bark" or "gotify")) return "无效的通知类型";
        if (r.QuotaWarningThreshold is not > 0) return "额度预警阈值必须大于0";
        switch (r.NotifyType)
        {
            case "webhook":
                if (string.IsNullOrWhiteSpace(r.WebhookUrl)) return "Webhook地址不能为空";
                if (!IsHttpUrl(r.WebhookUrl)) return "无效的Webhook地址";
                break;
            case "email":
                if (!string.IsNullOrWhiteSpace(r.NotificationEmail) && !AccountRules.IsEmail(r.NotificationEmail.Trim())) return "无效的邮箱地址";
                break;
            case "bark":
                if (string.IsNullOrWhiteSpace(r.BarkUrl)) return "Bark推送URL不能为空";
                if (!IsHttpUrl(r.BarkUrl)) return "Bark推送URL必须以http://或https://开头";
                break;
            default:
                if (string.IsNullOrWhiteSpace(r.GotifyUrl)) return "Gotify服务器地址不能为空";
                if (!IsHttpUrl(r.GotifyUrl)) return "Gotify服务器地址必须以http://或https://开头";
                if (string.IsNullOrWhiteSpace(r.GotifyToken)) return "Gotify令牌不能为空";
                if (r.GotifyPriority is < 0 or > 10) return "Gotify优先级必须在0-10之间";
                break;
        }
        return null;
    }

    /// <summary>
    /// NewApi: New API rebuilt the whole setting object here, silently dropping the sidebar layout and language; only the
    /// notification keys are replaced, everything else the user set is kept.
    /// </summary>
    private static string Merge(string current, UserNotifySettingRequest r, bool isAdmin)
    {
        JsonObject obj;
        try { obj = (current.Length > 0 ? JsonNode.Parse(current) as JsonObject : null) ?? []; }
        catch (JsonException) { obj = []; }
        foreach (var key in NotifyKeys) obj.Remove(key);
        obj["notify_type"] = JsonValue.Create(r.NotifyType);
        obj["quota_warning_threshold"] = JsonValue.Create(r.QuotaWarningThreshold!.Value);
        obj["accept_unset_model_ratio_model"] = JsonValue.Create(r.AcceptUnsetModelRatioModel ?? false);
        obj["record_ip_log"] = JsonValue.Create(r.RecordIpLog ?? false);
        if (isAdmin) obj["upstream_model_update_notify_enabled"] = JsonValue.Create(r.UpstreamModelUpdateNotifyEnabled ?? false);
        switch (r.NotifyType)
        {
            case "webhook":
                obj["webhook_url"] = JsonValue.Create(r.WebhookUrl!.Trim());
                obj["webhook_secret"] = JsonValue.Create(r.WebhookSecret ?? "");
                break;
            case "email":
                obj["notification_email"] = JsonValue.Create((r.NotificationEmail ?? "").Trim());
                break;
            case "bark":
                obj["bark_url"] = JsonValue.Create(r.BarkUrl!.Trim());
                break;
            default:
                obj["gotify_url"] = JsonValue.Create(r.GotifyUrl!.Trim());
                obj["gotify_token"] = JsonValue.Create(r.GotifyToken!.Trim());
                obj["gotify_priority"] = JsonValue.Create(r.GotifyPriority ?? 5);
                break;
        }
        return obj.ToJsonString();
    }

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && u.Host.Length > 0;
}
