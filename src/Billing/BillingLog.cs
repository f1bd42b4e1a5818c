using Microsoft.Extensions.Logging;

namespace NewApi.Billing;

internal static partial class BillingLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Billing batch of {Count} operations failed (attempt {Attempt}); retrying")]
    public static partial void BatchRetry(ILogger logger, Exception e, int count, int attempt);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error,
        Message = "Billing batch of {Count} operations could not be written; its reservations will be refunded at the next start")]
    public static partial void BatchLost(ILogger logger, Exception e, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Refunded {Count} quota reservations ({Quota} quota) left by an unclean stop")]
    public static partial void ReservationsRefunded(ILogger logger, int count, long quota);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Indexing pending usage-log rows failed; the next pass retries them")]
    public static partial void IndexFailed(ILogger logger, Exception e);
}
