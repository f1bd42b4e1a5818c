using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>A dashboard row (/api/data/, /users, /self): New API's QuotaData with every field, unused keys zero/empty.</summary>
public sealed record QuotaDataView
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public string Username { get; init; } = "";
    public string ModelName { get; init; } = "";
    public long CreatedAt { get; init; }
    public string UseGroup { get; init; } = "";
    public long TokenId { get; init; }
    public long ChannelId { get; init; }
    public string NodeName { get; init; } = "";
    public long TokenUsed { get; init; }
    public long Count { get; init; }
    public long Quota { get; init; }
}

/// <summary>A flow row (/api/data/flow, /flow/self): keys New API tags omitempty are left out when zero or empty.</summary>
public sealed record QuotaFlowView
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? UserId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Username { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? NodeName { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? TokenId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TokenName { get; init; }
    public string UseGroup { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ChannelId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ChannelName { get; init; }
    public string ModelName { get; init; } = "";
    public long TokenUsed { get; init; }
    public long Count { get; init; }
    public long Quota { get; init; }
}
