using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Channels;

/// <summary>One upstream channel (channels table). <see cref="KeyEnc"/> is ciphertext: encrypt/decrypt with Auth's SecretBox.</summary>
public sealed record ChannelRow
{
    public long Id { get; init; }
    public ChannelType Type { get; init; }
    public string KeyEnc { get; init; } = "";
    public string? OpenAiOrganization { get; init; }
    public string? TestModel { get; init; }
    public ChannelStatus Status { get; init; } = ChannelStatus.Enabled;
    public string Name { get; init; } = "";
    public long Weight { get; init; }
    public long CreatedTime { get; init; }
    public long TestTime { get; init; }
    public long ResponseTime { get; init; }
    public string BaseUrl { get; init; } = "";
    public string Other { get; init; } = "";
    public double Balance { get; init; }
    public long BalanceUpdatedTime { get; init; }
    /// <summary>Comma-separated model names.</summary>
    public string Models { get; init; } = "";
    /// <summary>Comma-separated groups.</summary>
    public string Group { get; init; } = "default";
    public long UsedQuota { get; init; }
    public string? ModelMapping { get; init; }
    public string StatusCodeMapping { get; init; } = "";
    public long Priority { get; init; }
    public bool AutoBan { get; init; } = true;
    /// <summary>JSON: status_reason, status_time.</summary>
    public string OtherInfo { get; init; } = "";
    public string? Tag { get; init; }
    /// <summary>JSON channel settings: force_format, thinking_to_content, proxy, pass_through_body_enabled, system_prompt, system_prompt_override.</summary>
    public string? Setting { get; init; }
    public string? ParamOverride { get; init; }
    public string? HeaderOverride { get; init; }
    public string Remark { get; init; } = "";
    /// <summary>JSON multi-key state: is_multi_key, multi_key_size, multi_key_status_list, multi_key_mode, …</summary>
    public string ChannelInfo { get; init; } = "{}";
    /// <summary>JSON "other settings" (azure_responses_version, vertex_key_type, …).</summary>
    public string Settings { get; init; } = "";

    public IEnumerable<string> ModelList => Split(Models);
    public IEnumerable<string> GroupList => Split(Group);

    public static IEnumerable<string> Split(string csv) =>
        csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);

    public const string Columns = """
        id, type, "key", openai_organization, test_model, status, name, weight, created_time, test_time, response_time, base_url,
        other, balance, balance_updated_time, models, "group", used_quota, model_mapping, status_code_mapping, priority, auto_ban,
        other_info, tag, setting, param_override, header_override, remark, channel_info, settings
        """;

    public static ChannelRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), Type = (ChannelType)r.Int(1), KeyEnc = r.Str(2), OpenAiOrganization = r.StrOrNull(3), TestModel = r.StrOrNull(4),
        Status = (ChannelStatus)r.Int(5), Name = r.Str(6), Weight = r.Long(7), CreatedTime = r.Long(8), TestTime = r.Long(9),
        ResponseTime = r.Long(10), BaseUrl = r.Str(11), Other = r.Str(12), Balance = r.Dbl(13), BalanceUpdatedTime = r.Long(14),
        Models = r.Str(15), Group = r.Str(16), UsedQuota = r.Long(17), ModelMapping = r.StrOrNull(18), StatusCodeMapping = r.Str(19),
        Priority = r.Long(20), AutoBan = r.IsDBNull(21) || r.GetInt64(21) != 0, OtherInfo = r.Str(22), Tag = r.StrOrNull(23),
        Setting = r.StrOrNull(24), ParamOverride = r.StrOrNull(25), HeaderOverride = r.StrOrNull(26), Remark = r.Str(27),
        ChannelInfo = r.IsDBNull(28) ? "{}" : r.GetString(28), Settings = r.Str(29),
    };

    public (string, object?)[] Parameters() =>
    [
        ("$type", (int)Type), ("$key", KeyEnc), ("$org", OpenAiOrganization), ("$test_model", TestModel), ("$status", (int)Status),
        ("$name", Name), ("$weight", Weight), ("$created_time", CreatedTime), ("$test_time", TestTime), ("$response_time", ResponseTime),
        ("$base_url", BaseUrl), ("$other", Other), ("$balance", Balance), ("$balance_updated_time", BalanceUpdatedTime),
        ("$models", Models), ("$group", Group), ("$used_quota", UsedQuota), ("$model_mapping", ModelMapping),
        ("$status_code_mapping", StatusCodeMapping), ("$priority", Priority), ("$auto_ban", AutoBan ? 1 : 0), ("$other_info", OtherInfo),
        ("$tag", Tag), ("$setting", Setting), ("$param_override", ParamOverride), ("$header_override", HeaderOverride),
        ("$remark", Remark), ("$channel_info", ChannelInfo), ("$settings", Settings),
    ];
}
