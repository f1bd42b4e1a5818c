using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Storage.Logs;

namespace NewApi.Admin.Users;

/// <summary>
/// Manage logs (type 3) for admin actions on users, on the target's log stream like New API: <c>other.op</c> names
/// the action and its parameters language-neutrally; <c>other.admin_info</c> names the operator.
/// </summary>
public sealed class ManageLog(LogRepository logs, ClientIpResolver ips, TimeProvider time)
{
    public Task WriteAsync(HttpContext ctx, CurrentUser admin, long targetId, string targetName, string content, string action,
        JsonObject parameters, CancellationToken ct)
    {
        var other = new JsonObject
        {
            ["admin_info"] = new JsonObject
            {
                ["admin_id"] = JsonValue.Create(admin.Id),
                ["admin_username"] = JsonValue.Create(admin.Username),
                ["admin_role"] = JsonValue.Create((int)admin.Role),
            },
            ["op"] = new JsonObject { ["action"] = JsonValue.Create(action), ["params"] = parameters },
        };
        return logs.InsertAsync(new LogRow
        {
            UserId = targetId, Username = targetName, CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(), Type = LogType.Manage,
            Content = content, Ip = ips.ResolveString(ctx), Other = other.ToJsonString(),
        }, ct);
    }
}
