using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>A token as New API's console reads it; <c>key</c> is masked except on the reveal routes.</summary>
public sealed record TokenView
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public string Key { get; init; } = "";
    public int Status { get; init; }
    public string Name { get; init; } = "";
    public long CreatedTime { get; init; }
    public long AccessedTime { get; init; }
    public long ExpiredTime { get; init; }
    public long RemainQuota { get; init; }
    public bool UnlimitedQuota { get; init; }
    public bool ModelLimitsEnabled { get; init; }
    public string ModelLimits { get; init; } = "";
    public string AllowIps { get; init; } = "";
    public long UsedQuota { get; init; }
    public string Group { get; init; } = "";
    public bool CrossGroupRetry { get; init; }
    public int RpmLimit { get; init; }
    public int TpmLimit { get; init; }
    public int ConcurrencyLimit { get; init; }
    [JsonPropertyName("DeletedAt")] public string? DeletedAt { get; init; }
}

/// <summary>POST/PUT /api/token/ body. Nullable fields distinguish "absent" from zero.</summary>
public sealed class TokenRequest
{
    public long? Id { get; set; }
    public string? Name { get; set; }
    public long? ExpiredTime { get; set; }
    public long? RemainQuota { get; set; }
    public bool? UnlimitedQuota { get; set; }
    public bool? ModelLimitsEnabled { get; set; }
    public string? ModelLimits { get; set; }
    public string? AllowIps { get; set; }
    public string? Group { get; set; }
    public bool? CrossGroupRetry { get; set; }
    public int? Status { get; set; }
    public int? RpmLimit { get; set; }
    public int? TpmLimit { get; set; }
    public int? ConcurrencyLimit { get; set; }
}

public sealed class IdsRequest
{
    public List<long>? Ids { get; set; }
}

public sealed record TokenKeyView(string Key);

public sealed record TokenKeysView(Dictionary<string, string> Keys);

/// <summary>GET /api/usage/token: New API's odd envelope <c>{code: true, message: "ok", data}</c>.</summary>
public sealed record TokenUsageEnvelope(bool Code, string Message, TokenUsageView Data);

public sealed record TokenUsageView
{
    public string Object { get; init; } = "token_usage";
    public string Name { get; init; } = "";
    public long TotalGranted { get; init; }
    public long TotalUsed { get; init; }
    public long TotalAvailable { get; init; }
    public bool UnlimitedQuota { get; init; }
    public Dictionary<string, bool> ModelLimits { get; init; } = [];
    public bool ModelLimitsEnabled { get; init; }
    public long ExpiresAt { get; init; }
}
