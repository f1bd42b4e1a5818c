using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>POST /api/channel/ body.</summary>
public sealed class AddChannelRequest
{
    public string? Mode { get; set; }
    public string? MultiKeyMode { get; set; }
    [JsonPropertyName("batch_add_set_key_prefix_2_name")] public bool BatchAddSetKeyPrefix2Name { get; set; }
    public ChannelInput? Channel { get; set; }
}

/// <summary>Channel fields as a client sends them. Nullable members tell "absent" from zero (PUT keeps absent fields).</summary>
public sealed class ChannelInput
{
    public long? Id { get; set; }
    public int? Type { get; set; }
    public string? Key { get; set; }
    public string? OpenaiOrganization { get; set; }
    public string? TestModel { get; set; }
    public int? Status { get; set; }
    public string? Name { get; set; }
    public long? Weight { get; set; }
    public string? BaseUrl { get; set; }
    public string? Other { get; set; }
    public string? Models { get; set; }
    public string? Group { get; set; }
    public string? ModelMapping { get; set; }
    public string? StatusCodeMapping { get; set; }
    public long? Priority { get; set; }
    public int? AutoBan { get; set; }
    public string? Tag { get; set; }
    public string? Setting { get; set; }
    public string? ParamOverride { get; set; }
    public string? HeaderOverride { get; set; }
    public string? Remark { get; set; }
    public string? Settings { get; set; }
    /// <summary>PUT only: new multi-key selection mode.</summary>
    public string? MultiKeyMode { get; set; }
    /// <summary>PUT only, multi-key channels: "append" adds de-duplicated keys, anything else replaces.</summary>
    public string? KeyMode { get; set; }
}

public sealed class ChannelStatusRequest
{
    public int Status { get; set; }
}

public sealed class ChannelBatchRequest
{
    public List<long>? Ids { get; set; }
    public int Status { get; set; }
    public string? Tag { get; set; }
}

/// <summary>PUT /api/channel/tag and the tag enable/disable bodies.</summary>
public sealed class ChannelTagRequest
{
    public string? Tag { get; set; }
    public string? NewTag { get; set; }
    public long? Priority { get; set; }
    public long? Weight { get; set; }
    public string? ModelMapping { get; set; }
    public string? Models { get; set; }
    public string? Groups { get; set; }
    public string? ParamOverride { get; set; }
    public string? HeaderOverride { get; set; }
}

public sealed class FetchModelsRequest
{
    public string? BaseUrl { get; set; }
    public int Type { get; set; }
    public string? Key { get; set; }
}

public sealed class MultiKeyManageRequest
{
    public long ChannelId { get; set; }
    public string? Action { get; set; }
    public int? KeyIndex { get; set; }
    public int Page { get; set; }
    public int PageSize { get; set; }
    public int? Status { get; set; }
}

/// <summary>POST /api/channel/{id}/key body: a 2FA code or (only without 2FA) the caller's password.</summary>
public sealed class ChannelKeyRequest
{
    public string? Code { get; set; }
    public string? Password { get; set; }
}
