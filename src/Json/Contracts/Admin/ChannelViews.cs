using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>
/// A channel as New API's console reads it. <c>key</c> is always "" here: the upstream key is only ever returned by
/// POST /api/channel/{id}/key.
/// </summary>
public sealed record ChannelView
{
    public long Id { get; init; }
    public int Type { get; init; }
    public string Key { get; init; } = "";
    public string? OpenaiOrganization { get; init; }
    public string? TestModel { get; init; }
    public int Status { get; init; }
    public string Name { get; init; } = "";
    public long Weight { get; init; }
    public long CreatedTime { get; init; }
    public long TestTime { get; init; }
    public long ResponseTime { get; init; }
    public string BaseUrl { get; init; } = "";
    public string Other { get; init; } = "";
    public double Balance { get; init; }
    public long BalanceUpdatedTime { get; init; }
    public string Models { get; init; } = "";
    public string Group { get; init; } = "";
    public long UsedQuota { get; init; }
    public string? ModelMapping { get; init; }
    public string StatusCodeMapping { get; init; } = "";
    public long Priority { get; init; }
    public int AutoBan { get; init; }
    public string OtherInfo { get; init; } = "";
    public string? Tag { get; init; }
    public string? Setting { get; init; }
    public string? ParamOverride { get; init; }
    public string? HeaderOverride { get; init; }
    public string Remark { get; init; } = "";
    public ChannelInfoData ChannelInfo { get; init; } = new();
    public string Settings { get; init; } = "";
}

/// <summary>
/// channels.channel_info (persisted JSON, same shape as New API's): multi-key state. Index-keyed maps serialise with
/// string keys ("0", "1", …) exactly like Go's map[int]…. Settable (not init) properties: source-generated
/// deserialisation assigns every init-only property, which would replace the "" default with null when a key is absent.
/// </summary>
public sealed record ChannelInfoData
{
    public bool IsMultiKey { get; set; }
    public int MultiKeySize { get; set; }
    public Dictionary<int, int>? MultiKeyStatusList { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<int, string>? MultiKeyDisabledReason { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<int, long>? MultiKeyDisabledTime { get; set; }
    public int MultiKeyPollingIndex { get; set; }
    public string MultiKeyMode { get; set; } = "";
}

/// <summary>GET /api/channel/ data: a page plus per-type counts (which ignore the type filter).</summary>
public sealed record ChannelListPage(IReadOnlyList<ChannelView> Items, long Total, int Page, int PageSize, Dictionary<int, long> TypeCounts);

/// <summary>GET /api/channel/search data: in-memory paging, no page/page_size echo (New API's shape).</summary>
public sealed record ChannelSearchPage(IReadOnlyList<ChannelView> Items, long Total, Dictionary<int, long> TypeCounts);

/// <summary>One entry of GET /api/channel/models (the built-in catalogue).</summary>
public sealed record CatalogModelView(string Id, string Object, long Created, string OwnedBy);

public sealed record ChannelKeyView(string Key);

public sealed record ChannelIdView(long Id);

public sealed record ChannelOpsView(long RetryTimes);

/// <summary>POST /api/channel/fix data: channels whose abilities were rebuilt, and failures.</summary>
public sealed record FixAbilitiesView(int Success, int Fails);

/// <summary>GET /api/channel/test (test all) data: the background run.</summary>
public sealed record ChannelTestTaskView(long TaskId, string Status, string Type);

public sealed record KeyStatusView
{
    public int Index { get; init; }
    public int Status { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long DisabledTime { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Reason { get; init; }
    public string KeyPreview { get; init; } = "";
}

/// <summary>multi_key/manage get_key_status data: one page of keys plus totals over all keys.</summary>
public sealed record MultiKeyStatusView(IReadOnlyList<KeyStatusView> Keys, int Total, int Page, int PageSize, int TotalPages,
    int EnabledCount, int ManualDisabledCount, int AutoDisabledCount);
