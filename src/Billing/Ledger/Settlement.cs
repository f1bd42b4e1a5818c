using NewApi.Storage.Logs;

namespace NewApi.Billing.Ledger;

/// <summary>
/// The final charge of one request: the hold it settles, the quota actually owed, the channel that served it and the
/// consume log row (relay.md §3.11, quota already filled in). The row is written only when LogConsumeEnabled; its
/// fields also feed the hourly quota_data bucket when DataExportEnabled.
/// </summary>
public sealed record Settlement(Hold Hold, long Quota, long ChannelId, LogRow Log);
