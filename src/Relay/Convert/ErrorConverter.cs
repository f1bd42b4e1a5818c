using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert;

/// <summary>
/// Upstream error bodies of each dialect → the client's error shape: OpenAI <c>{error:{message,type,param,code}}</c>
/// (also for Responses clients), Claude <c>{type:"error",error:{type,message}}</c>, Gemini <c>{error:{code,message,status}}</c>.
/// </summary>
public static class ErrorConverter
{
    private const int MaxRawMessage = 1000;

    /// <summary>Reads an upstream error body; a body that is not the dialect's JSON (an HTML proxy page…) becomes its text.</summary>
    public static UpstreamError Parse(WireFamily upstream, int status, ReadOnlySpan<byte> body)
    {
        var json = J.TryParseObject(body);
        if (json is not null && FromJson(upstream, status, json) is { } parsed) return parsed;
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length > MaxRawMessage) text = text[..MaxRawMessage];
        if (text.Length == 0) text = $"upstream returned status {status}";
        return new UpstreamError(status, text, DefaultType(upstream, status), null, null, upstream);
    }

    /// <summary>Reads an error object (a whole error body, or an error event inside a stream); null when it holds no error.</summary>
    public static UpstreamError? FromJson(WireFamily upstream, int status, JsonObject json)
    {
        var error = J.Obj(json, "error");
        if (error is null && J.Str(json, "type") == "response.failed") error = J.Obj(J.Obj(json, "response"), "error");
        if (error is null && J.Str(json, "type") == "error" && J.Str(json, "message") is not null) error = json;   // Responses stream error event
        if (error is null)
            return J.Str(json, "error") is { } bare ? new UpstreamError(status, bare, DefaultType(upstream, status), null, null, upstream) : null;
        var message = J.Str(error, "message") ?? J.ToJson(error);
        if (J.Str(error, "status") is { } geminiStatus || J.Long(error, "code") is not null && J.Str(error, "type") is null)
        {
            var code = (int)(J.Long(error, "code") ?? status);
            return new UpstreamError(status > 0 ? status : code, message, J.Str(error, "status") ?? ErrorVocabulary.GeminiStatus(code), null, null, WireFamily.Gemini);
        }
        var type = J.Str(error, "type") ?? DefaultType(upstream, status);
        var codeText = J.Str(error, "code") ?? J.Long(error, "code")?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var family = J.Str(json, "type") == "error" && upstream == WireFamily.Claude ? WireFamily.Claude : upstream;
        if (status <= 0) status = ErrorVocabulary.StatusOf(type);
        return new UpstreamError(status, message, type, codeText, J.Str(error, "param"), family);
    }

    /// <summary>The error as a body in the client's dialect.</summary>
    public static JsonObject ToBody(WireFamily client, UpstreamError e) => client switch
    {
        WireFamily.Claude => new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = ErrorVocabulary.ClaudeType(e), ["message"] = e.Message },
        },
        WireFamily.Gemini => new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = e.Status, ["message"] = e.Message, ["status"] = ErrorVocabulary.GeminiStatusOf(e) },
        },
        _ => new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = e.Message,
                ["type"] = ErrorVocabulary.OpenAiType(e),
                ["param"] = e.Param,
                ["code"] = e.Code ?? (e.Source == WireFamily.OpenAiChat || e.Source == WireFamily.Responses ? null : e.Type),
            },
        },
    };

    /// <summary>Writes <see cref="ToBody"/> as UTF-8 JSON.</summary>
    public static void Write(WireFamily client, UpstreamError e, IBufferWriter<byte> output)
    {
        using var w = new Utf8JsonWriter(output, J.WriterOptions);
        ToBody(client, e).WriteTo(w);
    }

    private static string DefaultType(WireFamily upstream, int status) => upstream switch
    {
        WireFamily.Gemini => ErrorVocabulary.GeminiStatus(status),
        WireFamily.Claude => ErrorVocabulary.ClaudeTypeOf(status),
        _ => ErrorVocabulary.OpenAiTypeOf(status),
    };
}
