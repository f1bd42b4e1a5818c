namespace NewApi.Storage.QuotaData;

/// <summary>
/// One quota_data bucket: consume totals per user, model, hour (created_at truncated to 3600 s), group, token, channel and
/// node. Aggregate reads fill only the columns they group by; the rest stay zero/empty, as New API returns them.
/// </summary>
public sealed record QuotaDataRow
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

    /// <summary>The hour bucket of a Unix timestamp (New API keeps dashboard data per hour).</summary>
    public static long HourOf(long unixSeconds) => unixSeconds - unixSeconds % 3600;
}

/// <summary>One row of the flow (Sankey) aggregation; which keys are filled depends on the caller's role.</summary>
public sealed record QuotaFlowRow
{
    public long UserId { get; init; }
    public string Username { get; init; } = "";
    public string NodeName { get; init; } = "";
    public long TokenId { get; init; }
    public string TokenName { get; init; } = "";
    public string UseGroup { get; init; } = "";
    public long ChannelId { get; init; }
    public string ModelName { get; init; } = "";
    public long TokenUsed { get; init; }
    public long Count { get; init; }
    public long Quota { get; init; }
}
