using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Json;
using NewApi.Relay.Errors;

namespace NewApi.Hosting;

/// <summary>
/// Last-resort handler: an exception becomes a 500 in the caller's format with the request id, never a stack trace.
/// Client disconnects are not errors. Bad request bodies (Kestrel/binding) keep their 4xx status.
/// </summary>
public static class ErrorBoundary
{
    public static async Task InvokeAsync(HttpContext ctx, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(ctx);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client left; nothing to answer.
        }
        catch (BadHttpRequestException e)
        {
            if (ctx.Response.HasStarted) { ctx.Abort(); return; }
            var status = e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400;
            var message = status == 413 ? "request body too large" : "invalid request: " + e.Message;
            await WriteAsync(ctx, status, Relayed(ctx, message), "invalid_request_error");
        }
        catch (IOException e) when (e.InnerException is OverflowException or FormatException && !ctx.Response.HasStarted)
        {
            // Kestrel reports a request chunk size that overflows as a plain IOException, not a BadHttpRequestException.
            await WriteAsync(ctx, 400, Relayed(ctx, "invalid request: bad chunk size data"), "invalid_request_error");
        }
        catch (Exception e)
        {
            HostingLog.Unhandled(logger, e, ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.TraceIdentifier);
            if (ctx.Response.HasStarted) { ctx.Abort(); return; }
            await WriteAsync(ctx, 500, $"internal error (request id: {ctx.TraceIdentifier})", "new_api_error");
        }
    }

    /// <summary>Relay errors raised here carry the request id like every other local relay error; /api envelopes do not.</summary>
    private static string Relayed(HttpContext ctx, string message) =>
        ApiSurfaces.Of(ctx.Request.Path) is ApiSurface.Management or ApiSurface.Web ? message : $"{message} (request id: {ctx.TraceIdentifier})";

    public static Task WriteAsync(HttpContext ctx, int status, string message, string type)
    {
        ctx.Response.Clear();
        var surface = ApiSurfaces.Of(ctx.Request.Path);
        if (surface is ApiSurface.Management or ApiSurface.Web)
        {
            ctx.Response.StatusCode = status;
            return ctx.Response.WriteAsJsonAsync(Api.Fail(message), AdminJson.Default.Reply);
        }
        return RelayErrorWriter.WriteAsync(ctx, surface, status, message, type);
    }
}
