namespace NewApi.Storage.Logs;

/// <summary>
/// The filters of /api/log/* with New API's meaning: zero or empty = no filter; timestamps are inclusive Unix seconds.
/// Username and model name are exact matches unless the caller set the <c>Like</c> flag with an already validated pattern
/// (escape character '!'). Self routes set <see cref="UserId"/>; admin-only filters are left empty there by the caller.
/// </summary>
public sealed record LogFilter
{
    public long Type { get; init; }
    public long Start { get; init; }
    public long End { get; init; }
    public long? UserId { get; init; }
    public string Username { get; init; } = "";
    public bool UsernameLike { get; init; }
    public string TokenName { get; init; } = "";
    public string ModelName { get; init; } = "";
    public bool ModelNameLike { get; init; }
    public long ChannelId { get; init; }
    public string Group { get; init; } = "";
    public string RequestId { get; init; } = "";
    public string UpstreamRequestId { get; init; } = "";

    /// <summary>Any filter on a column the per-day summary keeps (everything except the time range, type and request ids).</summary>
    public bool HasDimension => UserId is not null || Username.Length > 0 || TokenName.Length > 0 || ModelName.Length > 0
        || ChannelId != 0 || Group.Length > 0;

    public bool HasRequestId => RequestId.Length > 0 || UpstreamRequestId.Length > 0;
}
