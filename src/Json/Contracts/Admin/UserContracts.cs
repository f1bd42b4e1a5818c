using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>
/// A user as New API's admin routes serialise it: <c>password</c>, <c>original_password</c> and
/// <c>verification_code</c> are always present and always empty, the soft-delete column is literally <c>DeletedAt</c>,
/// <c>remark</c> is omitted when empty, and the access token never appears.
/// </summary>
public sealed record UserView
{
    public long Id { get; init; }
    public string Username { get; init; } = "";
    public string Password { get; init; } = "";
    public string OriginalPassword { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public int Role { get; init; }
    public int Status { get; init; }
    public string Email { get; init; } = "";
    public string GithubId { get; init; } = "";
    public string DiscordId { get; init; } = "";
    public string OidcId { get; init; } = "";
    public string WechatId { get; init; } = "";
    public string TelegramId { get; init; } = "";
    public string VerificationCode { get; init; } = "";
    public long Quota { get; init; }
    public long UsedQuota { get; init; }
    public long RequestCount { get; init; }
    public string Group { get; init; } = "";
    public string AffCode { get; init; } = "";
    public long AffCount { get; init; }
    public long AffQuota { get; init; }
    [JsonPropertyName("aff_history_quota")] public long AffHistoryQuota { get; init; }
    public long InviterId { get; init; }
    [JsonPropertyName("DeletedAt")] public string? DeletedAt { get; init; }
    [JsonPropertyName("linux_do_id")] public string LinuxDoId { get; init; } = "";
    public string Setting { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Remark { get; init; }
    public string StripeCustomer { get; init; } = "";
    public long CreatedAt { get; init; }
    public long LastLoginAt { get; init; }
}

/// <summary>POST /api/user/ (admin create).</summary>
public sealed class UserCreateRequest
{
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? DisplayName { get; set; }
    public int? Role { get; set; }
}

/// <summary>PUT /api/user/: only these fields are applied; anything else the console sends back is ignored.</summary>
public sealed class UserUpdateRequest
{
    public long? Id { get; set; }
    public string? Username { get; set; }
    public string? DisplayName { get; set; }
    public string? Group { get; set; }
    public string? Remark { get; set; }
    public string? Password { get; set; }
    public int? Role { get; set; }
}

/// <summary>POST /api/user/manage: action promote|demote|enable|disable|delete|add_quota, mode add|subtract|override.</summary>
public sealed class UserManageRequest
{
    public long? Id { get; set; }
    public string? Action { get; set; }
    public long? Value { get; set; }
    public string? Mode { get; set; }
}

public sealed record UserRoleStatusView(int Role, int Status);
