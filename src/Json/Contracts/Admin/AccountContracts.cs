using System.Text.Json;

namespace NewApi.Json.Contracts.Admin;

/// <summary>POST /api/user/register. <c>aff_code</c> is the inviter's code.</summary>
public sealed class RegisterRequest
{
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? Email { get; set; }
    public string? VerificationCode { get; set; }
    public string? AffCode { get; set; }
}

/// <summary>POST /api/user/reset: the e-mail and the token from the reset link.</summary>
public sealed class PasswordResetRequest
{
    public string? Email { get; set; }
    public string? Token { get; set; }
}

public sealed class AffTransferRequest
{
    public long? Quota { get; set; }
}

/// <summary>PUT /api/user/setting: the notification part of the user setting.</summary>
public sealed class UserNotifySettingRequest
{
    public string? NotifyType { get; set; }
    public double? QuotaWarningThreshold { get; set; }
    public string? WebhookUrl { get; set; }
    public string? WebhookSecret { get; set; }
    public string? NotificationEmail { get; set; }
    public string? BarkUrl { get; set; }
    public string? GotifyUrl { get; set; }
    public string? GotifyToken { get; set; }
    public int? GotifyPriority { get; set; }
    public bool? UpstreamModelUpdateNotifyEnabled { get; set; }
    public bool? AcceptUnsetModelRatioModel { get; set; }
    public bool? RecordIpLog { get; set; }
}

public sealed record CheckinRecordView(string CheckinDate, long QuotaAwarded);

public sealed record CheckinStatsView(long TotalQuota, long TotalCheckins, int CheckinCount, bool CheckedInToday, List<CheckinRecordView> Records);

public sealed record CheckinStatusView(bool Enabled, long MinQuota, long MaxQuota, CheckinStatsView Stats);

public sealed record CheckinResultView(long QuotaAwarded, string CheckinDate);

/// <summary>A prefill group as the console reads it; <c>items</c> is whatever JSON was saved.</summary>
public sealed record PrefillGroupView(long Id, string Name, string Type, JsonElement Items, string Description, long CreatedTime, long UpdatedTime);

public sealed class PrefillGroupRequest
{
    public long? Id { get; set; }
    public string? Name { get; set; }
    public string? Type { get; set; }
    public JsonElement? Items { get; set; }
    public string? Description { get; set; }
}
