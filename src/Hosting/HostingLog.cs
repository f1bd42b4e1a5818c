using Microsoft.Extensions.Logging;

namespace NewApi.Hosting;

public static partial class HostingLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied {Count} migration(s); backup: {Backup}")]
    public static partial void Migrated(ILogger logger, int count, string backup);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path} (request id {RequestId})")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path, string requestId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {ElapsedMs:F1}ms {Ip}")]
    public static partial void Access(ILogger logger, string method, string path, int status, double elapsedMs, string ip);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "NewApi {Version} listening on {Address}")]
    public static partial void Listening(ILogger logger, string version, string address);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Gave back start-up-only image pages: {Data} bytes of compressed type data, {Code} bytes of code")]
    public static partial void StartupImageReleased(ILogger logger, long data, long code);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Critical, Message = "The front I/O loop stopped: epoll_wait failed (errno {Errno})")]
    public static partial void FrontLoopFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "A front I/O loop event failed")]
    public static partial void FrontEventFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Cannot accept connections (errno {Errno}: out of file descriptors or memory); accepting again in {PauseMs} ms")]
    public static partial void AcceptPaused(ILogger logger, int errno, int pauseMs);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Open files limit raised from {Before} to {After}")]
    public static partial void FileLimitRaised(ILogger logger, ulong before, ulong after);
}
