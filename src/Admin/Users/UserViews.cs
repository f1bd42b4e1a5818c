using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Users;

namespace NewApi.Admin.Users;

/// <summary>Row → wire shape for the admin user routes. The password hash and access token are never copied.</summary>
public static class UserViews
{
    /// <summary>Setting keys that hold another user's credentials for their notification channels.</summary>
    private static readonly string[] SecretSettingKeys = ["webhook_secret", "gotify_token"];

    public static UserView ToView(UserRow u) => new()
    {
        Id = u.Id, Username = u.Username, DisplayName = u.DisplayName, Role = (int)u.Role, Status = (int)u.Status, Email = u.Email,
        GithubId = u.GithubId, DiscordId = u.DiscordId, OidcId = u.OidcId, WechatId = u.WechatId, TelegramId = u.TelegramId,
        Quota = u.Quota, UsedQuota = u.UsedQuota, RequestCount = u.RequestCount, Group = u.Group, AffCode = u.AffCode,
        AffCount = u.AffCount, AffQuota = u.AffQuota, AffHistoryQuota = u.AffHistory, InviterId = u.InviterId, DeletedAt = u.DeletedAt,
        LinuxDoId = u.LinuxDoId, Setting = WithoutSecrets(u.Setting), Remark = u.Remark.Length == 0 ? null : u.Remark,
        StripeCustomer = u.StripeCustomer, CreatedAt = u.CreatedAt, LastLoginAt = u.LastLoginAt,
    };

    /// <summary>
    /// NewApi: New API handed admins each user's raw setting, webhook secret and Gotify token included. Admins cannot
    /// edit those fields through these routes, so they are removed from the copy admins see.
    /// </summary>
    public static string WithoutSecrets(string setting)
    {
        if (setting.Length == 0 || !SecretSettingKeys.Any(k => setting.Contains(k, StringComparison.Ordinal))) return setting;
        try
        {
            if (JsonNode.Parse(setting) is not JsonObject obj) return "";
            foreach (var key in SecretSettingKeys) obj.Remove(key);
            return obj.ToJsonString();
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
