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
            await WriteAsync(ctx, status, message, "invalid_request_error");
        }
        catch (IOException e) when (e.InnerException is OverflowException or FormatException && !ctx.Response.HasStarted)
        {
            // Kestrel reports a request chunk size that overflows as a plain IOException, not a BadHttpRequestException.
            await WriteAsync(ctx, 400, "invalid request: bad chunk size data", "invalid_request_error");
        }
        catch (Exception e)
        {
            HostingLog.Unhandled(logger, e, ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.TraceIdentifier);
            if (ctx.Response.HasStarted) { ctx.Abort(); return; }
            await WriteAsync(ctx, 500, "internal error", "new_api_error", idOnApi: true);
        }
    }

    /// <summary>
    /// An /api envelope, or a local relay error through <see cref="RelayErrorResponder"/>, which adds the request id as it
    /// does for every other one. /api messages carry it only when asked (<paramref name="idOnApi"/>: the 500).
    /// </summary>
    private static Task WriteAsync(HttpContext ctx, int status, string message, string type, bool idOnApi = false)
    {
        ctx.Response.Clear();
        if (ApiSurfaces.Of(ctx.Request.Path) is ApiSurface.Management or ApiSurface.Web)
        {
            ctx.Response.StatusCode = status;
            var text = idOnApi ? $"{message} (request id: {ctx.TraceIdentifier})" : message;
            return ctx.Response.WriteAsJsonAsync(Api.Fail(text), AdminJson.Default.Reply);
        }
        return RelayErrorResponder.WriteAsync(ctx, new RelayError { Status = status, Message = message, Type = type });
    }
}
