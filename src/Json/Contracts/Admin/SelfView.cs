using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>GET /api/user/self: the caller's own user, remark and secrets excluded.</summary>
public sealed record SelfView
{
    public long Id { get; init; }
    public string Username { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public int Role { get; init; }
    public int Status { get; init; }
    public string Email { get; init; } = "";
    public string GithubId { get; init; } = "";
    public string DiscordId { get; init; } = "";
    public string OidcId { get; init; } = "";
    public string WechatId { get; init; } = "";
    public string TelegramId { get; init; } = "";
    public string Group { get; init; } = "";
    public long Quota { get; init; }
    public long UsedQuota { get; init; }
    public long RequestCount { get; init; }
    public string AffCode { get; init; } = "";
    public long AffCount { get; init; }
    public long AffQuota { get; init; }
    [JsonPropertyName("aff_history_quota")] public long AffHistoryQuota { get; init; }
    public long InviterId { get; init; }
    [JsonPropertyName("linux_do_id")] public string LinuxDoId { get; init; } = "";
    public string Setting { get; init; } = "";
    public string StripeCustomer { get; init; } = "";
    public string SidebarModules { get; init; } = "";
    public SelfPermissions Permissions { get; init; } = new();
}

public sealed record SelfPermissions
{
    public bool SidebarSettings { get; init; } = true;
    public string SidebarModules { get; init; } = "";
    public Dictionary<string, Dictionary<string, bool>>? AdminPermissions { get; init; }
}
