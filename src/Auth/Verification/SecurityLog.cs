using Microsoft.AspNetCore.Http;
using NewApi.Common;
using NewApi.Storage.Logs;

namespace NewApi.Auth.Verification;

/// <summary>System log rows (type 4) for security events on a user's account, as New API records them.</summary>
public sealed class SecurityLog(LogRepository logs, ClientIpResolver ips, TimeProvider time)
{
    public Task WriteAsync(HttpContext ctx, long userId, string username, string content, CancellationToken ct) =>
        logs.InsertAsync(new LogRow
        {
            UserId = userId, Username = username, CreatedAt = time.UnixSeconds(), Type = LogType.System, Content = content,
            Ip = ips.ResolveString(ctx),
        }, ct);
}
