using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Tokens;

public sealed record TokenRow
{
    public long Id { get; init; }
    public long UserId { get; init; }
    /// <summary>HMAC of the key (lookup only).</summary>
    public string KeyHash { get; init; } = "";
    /// <summary>The key, encrypted; decrypt only to show it to its owner.</summary>
    public string KeyEnc { get; init; } = "";
    public TokenStatus Status { get; init; } = TokenStatus.Enabled;
    public string Name { get; init; } = "";
    public long CreatedTime { get; init; }
    public long AccessedTime { get; init; }
    public long ExpiredTime { get; init; } = -1;
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
    public string? DeletedAt { get; init; }

    public const string Columns = """
        id, user_id, "key", key_enc, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota,
        model_limits_enabled, model_limits, allow_ips, used_quota, "group", cross_group_retry, rpm_limit, tpm_limit, concurrency_limit, deleted_at
        """;

    public static TokenRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), UserId = r.Long(1), KeyHash = r.Str(2), KeyEnc = r.Str(3), Status = (TokenStatus)r.Int(4), Name = r.Str(5),
        CreatedTime = r.Long(6), AccessedTime = r.Long(7), ExpiredTime = r.Long(8), RemainQuota = r.Long(9), UnlimitedQuota = r.Bool(10),
        ModelLimitsEnabled = r.Bool(11), ModelLimits = r.Str(12), AllowIps = r.Str(13), UsedQuota = r.Long(14), Group = r.Str(15),
        CrossGroupRetry = r.Bool(16), RpmLimit = r.Int(17), TpmLimit = r.Int(18), ConcurrencyLimit = r.Int(19), DeletedAt = r.StrOrNull(20),
    };
}
