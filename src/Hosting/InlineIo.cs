using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace NewApi.Hosting;

/// <summary>
/// server.inline_io: socket completions and Kestrel's request processing run on the socket engine threads, so a relay
/// call is read, forwarded, answered and billed without waking a thread-pool thread (each hand-off costs tens of µs on
/// a small VM). Work that may block or run long must not stay there, or every connection of that engine waits:
/// <see cref="DispatchAsync"/> moves every request except relay calls with modest bodies to the pool, and
/// <see cref="Storage.SqliteDb"/> moves to the pool before any SQLite call.
/// </summary>
public static class InlineIo
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Request bodies above this (or of unknown length) are parsed on the pool: a large prompt costs milliseconds.</summary>
    public const long MaxInlineBody = 256 * 1024;

    public static void Configure(IWebHostBuilder host, bool enabled)
    {
        // Read once by the socket engine when the first socket is created; an operator's own value wins.
        if (enabled && Environment.GetEnvironmentVariable(InlineCompletions) is null)
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        host.UseSockets(o => o.UnsafePreferInlineScheduling = enabled);
    }

    public static Task DispatchAsync(HttpContext ctx, RequestDelegate next) =>
        Thread.CurrentThread.IsThreadPoolThread || StaysInline(ctx.Request) ? next(ctx) : OnPoolAsync(ctx, next);

    private static async Task OnPoolAsync(HttpContext ctx, RequestDelegate next)
    {
        await Task.Yield();   // no synchronization context: continues on the thread pool
        await next(ctx);
    }

    /// <summary>Relay surfaces (OpenAI, Claude, Gemini, playground) with a known, modest body.</summary>
    public static bool StaysInline(HttpRequest r)
    {
        var path = r.Path;
        if (!path.StartsWithSegments("/v1") && !path.StartsWithSegments("/v1beta") && !path.StartsWithSegments("/pg")) return false;
        if (r.ContentLength is { } n) return n <= MaxInlineBody;
        return !r.Headers.ContainsKey("Transfer-Encoding");
    }
}
