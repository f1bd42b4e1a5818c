using Microsoft.Extensions.Logging;

namespace NewApi.Auth.Email;

/// <summary>Log events of the e-mail code (Auth: 52xx).</summary>
internal static partial class EmailLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Mail via {Host}:{Port} failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Queued mail dropped: the outbox is full")]
    public static partial void OutboxFull(ILogger logger);
}
