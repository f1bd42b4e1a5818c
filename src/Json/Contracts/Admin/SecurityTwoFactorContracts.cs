using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>Body of the 2FA routes and /api/user/login/2fa: <c>{code}</c>.</summary>
public sealed class CodeRequest
{
    [JsonPropertyName("code")] public string? Code { get; set; }
}

public sealed record TwoFaStatusView(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("locked")] bool Locked,
    [property: JsonPropertyName("backup_codes_remaining"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? BackupCodesRemaining);

/// <summary>Returned once by setup: the only response that ever carries the TOTP secret.</summary>
public sealed record TwoFaSetupView(
    [property: JsonPropertyName("secret")] string Secret,
    [property: JsonPropertyName("qr_code_data")] string QrCodeData,
    [property: JsonPropertyName("backup_codes")] IReadOnlyList<string> BackupCodes);

public sealed record BackupCodesView([property: JsonPropertyName("backup_codes")] IReadOnlyList<string> BackupCodes);

public sealed record TwoFaStatsView(
    [property: JsonPropertyName("total_users")] long TotalUsers,
    [property: JsonPropertyName("enabled_users")] long EnabledUsers,
    [property: JsonPropertyName("enabled_rate")] string EnabledRate);

/// <summary>POST /api/verify body.</summary>
public sealed class VerifyRequest
{
    [JsonPropertyName("method")] public string? Method { get; set; }
    [JsonPropertyName("code")] public string? Code { get; set; }
}

public sealed record VerifyView(
    [property: JsonPropertyName("verified")] bool Verified,
    [property: JsonPropertyName("expires_at")] long ExpiresAt);

/// <summary>403 answer of routes behind a sensitive-action verification (New API adds a machine-readable code).</summary>
public sealed record VerificationRequiredReply(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("code")] string Code);
