using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>
/// A usage log row as New API serialises it (field order of its Log struct): the channel id is <c>channel</c>,
/// <c>request_id</c>/<c>upstream_request_id</c> are left out when empty, <c>other</c> is the stored JSON text.
/// </summary>
public sealed record LogView
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public long CreatedAt { get; init; }
    public int Type { get; init; }
    public string Content { get; init; } = "";
    public string Username { get; init; } = "";
    public string TokenName { get; init; } = "";
    public string ModelName { get; init; } = "";
    public long Quota { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long UseTime { get; init; }
    public bool IsStream { get; init; }
    [JsonPropertyName("channel")] public long Channel { get; init; }
    public string ChannelName { get; init; } = "";
    public long TokenId { get; init; }
    public string Group { get; init; } = "";
    public string Ip { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RequestId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? UpstreamRequestId { get; init; }
    public string Other { get; init; } = "";
}

/// <summary>GET /api/log/stat and /api/log/self/stat.</summary>
public sealed record LogStatView(long Quota, long Rpm, long Tpm);
