using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Users;

public sealed record UserRow
{
    public long Id { get; init; }
    public string Username { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public Role Role { get; init; } = Role.User;
    public UserStatus Status { get; init; } = UserStatus.Enabled;
    public string Email { get; init; } = "";
    public string GithubId { get; init; } = "";
    public string DiscordId { get; init; } = "";
    public string OidcId { get; init; } = "";
    public string WechatId { get; init; } = "";
    public string TelegramId { get; init; } = "";
    public string LinuxDoId { get; init; } = "";
    public long Quota { get; init; }
    public long UsedQuota { get; init; }
    public long RequestCount { get; init; }
    public string Group { get; init; } = "default";
    public string AffCode { get; init; } = "";
    public long AffCount { get; init; }
    public long AffQuota { get; init; }
    public long AffHistory { get; init; }
    public long InviterId { get; init; }
    public string Setting { get; init; } = "";
    public string Remark { get; init; } = "";
    public string StripeCustomer { get; init; } = "";
    public long CreatedAt { get; init; }
    public long LastLoginAt { get; init; }
    public string? DeletedAt { get; init; }

    public const string Columns = """
        id, username, password, display_name, role, status, email, github_id, discord_id, oidc_id, wechat_id, telegram_id,
        linux_do_id, quota, used_quota, request_count, "group", aff_code, aff_count, aff_quota, aff_history, inviter_id,
        setting, remark, stripe_customer, created_at, last_login_at, deleted_at
        """;

    public static UserRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), Username = r.Str(1), PasswordHash = r.Str(2), DisplayName = r.Str(3), Role = (Role)r.Int(4),
        Status = (UserStatus)r.Int(5), Email = r.Str(6), GithubId = r.Str(7), DiscordId = r.Str(8), OidcId = r.Str(9),
        WechatId = r.Str(10), TelegramId = r.Str(11), LinuxDoId = r.Str(12), Quota = r.Long(13), UsedQuota = r.Long(14),
        RequestCount = r.Long(15), Group = r.Str(16), AffCode = r.Str(17), AffCount = r.Long(18), AffQuota = r.Long(19),
        AffHistory = r.Long(20), InviterId = r.Long(21), Setting = r.Str(22), Remark = r.Str(23), StripeCustomer = r.Str(24),
        CreatedAt = r.Long(25), LastLoginAt = r.Long(26), DeletedAt = r.StrOrNull(27),
    };
}
