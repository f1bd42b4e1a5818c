using Microsoft.Extensions.Logging;

namespace NewApi.Relay;

internal static partial class RelayLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Channel {ChannelId} answered {StatusCode} for {Model}; attempt {Attempt}/{MaxAttempts}")]
    public static partial void UpstreamAttemptFailed(ILogger logger, long channelId, int statusCode, string model, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Client left during the response from channel {ChannelId}")]
    public static partial void ClientGone(ILogger logger, long channelId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Channel {ChannelId} ({Name}) disabled automatically: {Reason}")]
    public static partial void ChannelDisabled(ILogger logger, long channelId, string name, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Could not disable channel {ChannelId}")]
    public static partial void ChannelDisableFailed(ILogger logger, Exception e, long channelId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Cache epoch {Epoch}: identity cache dropped, routing and options reloaded")]
    public static partial void CachesReloaded(ILogger logger, long epoch);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Cache epoch could not be read")]
    public static partial void EpochReadFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Stream from channel {ChannelId} ended abnormally: {Reason}")]
    public static partial void StreamEnded(ILogger logger, long channelId, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Channel {ChannelId} could not be reached for {Model}")]
    public static partial void UpstreamUnreachable(ILogger logger, Exception e, long channelId, string model);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Could not write the error log row for request {RequestId}")]
    public static partial void ErrorLogFailed(ILogger logger, Exception e, string requestId);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Channel {ChannelId} enabled again after a passing test")]
    public static partial void ChannelEnabled(ILogger logger, long channelId);
}
