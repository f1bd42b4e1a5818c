using Microsoft.Extensions.Logging;

namespace NewApi.Admin.Channels;

/// <summary>Channel admin log events (Admin range, 71xx).</summary>
internal static partial class ChannelLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Channel test run {TaskId} finished: {Tested} tested, {Failed} failed, {Disabled} disabled, {Enabled} enabled")]
    public static partial void TestRunFinished(this ILogger logger, long taskId, int tested, int failed, int disabled, int enabled);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Channel test run {TaskId} stopped by an error")]
    public static partial void TestRunFailed(this ILogger logger, Exception error, long taskId);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Channel key of #{ChannelId} revealed to user {UserId}")]
    public static partial void KeyRevealed(this ILogger logger, long channelId, long userId);
}
