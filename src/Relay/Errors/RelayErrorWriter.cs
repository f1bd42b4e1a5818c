using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace NewApi.Relay.Errors;

/// <summary>
/// Writes an error in the caller's dialect: OpenAI <c>{"error":{message,type,param,code}}</c>, Claude
/// <c>{"type":"error","error":{type,message}}</c>, Gemini <c>{"error":{code,message,status}}</c>, Midjourney
/// <c>{code,description}</c>. Written with Utf8JsonWriter: no per-error type metadata, nothing to trim.
/// </summary>
public static class RelayErrorWriter
{
    public static Task WriteAsync(HttpContext ctx, ApiSurface surface, int status, string message, string type = "new_api_error",
        string? code = null, CancellationToken ct = default, string param = "")
    {
        if (ctx.Response.HasStarted) return Task.CompletedTask;
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Options))
            Write(w, surface, status, message, type, code, param);
        return ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ct).AsTask();
    }

    /// <summary>Non-ASCII text as raw UTF-8 (New API's messages are Chinese; Go does not \u-escape them).</summary>
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="param">OpenAI's <c>param</c>: the upstream's, passed on as it sent it; empty for our own errors.</param>
    public static void Write(Utf8JsonWriter w, ApiSurface surface, int status, string message, string type, string? code, string param = "")
    {
        w.WriteStartObject();
        switch (surface)
        {
            case ApiSurface.Claude:
                w.WriteString("type", "error");
                w.WriteStartObject("error");
                w.WriteString("type", code == ErrorCodes.ModelNotFound ? "not_found_error" : ClaudeType(status, type));
                w.WriteString("message", message);
                w.WriteEndObject();
                break;
            case ApiSurface.Gemini:
                w.WriteStartObject("error");
                w.WriteNumber("code", status);
                w.WriteString("message", message);
                w.WriteString("status", GeminiStatus(status));
                w.WriteEndObject();
                break;
            case ApiSurface.Midjourney:
                w.WriteNumber("code", status == 429 ? 24 : 4);
                w.WriteString("description", message);
                w.WriteNull("result");
                break;
            default:
                w.WriteStartObject("error");
                w.WriteString("message", message);
                w.WriteString("type", type);
                w.WriteString("param", param);
                if (code is null) w.WriteString("code", ""); else w.WriteString("code", code);
                w.WriteEndObject();
                break;
        }
        w.WriteEndObject();
    }

    public static string ClaudeType(int status, string type) => status switch
    {
        400 or 413 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        529 or 503 => "overloaded_error",
        _ when type is "invalid_request_error" => type,
        _ => "api_error",
    };

    public static string GeminiStatus(int status) => status switch
    {
        400 or 413 or 422 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };
}
