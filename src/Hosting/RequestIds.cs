using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using NewApi.Common;

namespace NewApi.Hosting;

/// <summary>
/// X-Oneapi-Request-Id like New API's: UTC yyyyMMddHHmmss + 9 digits of sub-second time + 8 hex (build) + 8 random
/// alphanumerics. Stored as HttpContext.TraceIdentifier so every layer sees the same id.
/// </summary>
public static class RequestIds
{
    private static readonly string BuildHash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(BuildInfo.Version)))[..8];

    public static string New(TimeProvider time)
    {
        var now = time.GetUtcNow();
        var nanos = (now.Ticks % TimeSpan.TicksPerSecond) * 100;
        return string.Create(null, stackalloc char[48], $"{now:yyyyMMddHHmmss}{nanos:D9}{BuildHash}{RandomNumberGenerator.GetString("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 8)}");
    }

    public static async Task MiddlewareAsync(HttpContext ctx, RequestDelegate next, TimeProvider time)
    {
        var id = New(time);
        ctx.TraceIdentifier = id;
        var headers = ctx.Response.Headers;
        headers["X-Oneapi-Request-Id"] = id;
        headers["X-New-Api-Version"] = BuildInfo.Version;
        await next(ctx);
    }
}
