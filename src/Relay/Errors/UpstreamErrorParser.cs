using System.Text.Json;

namespace NewApi.Relay.Errors;

/// <summary>
/// Reads a provider's error body (relay.md §2.17): an OpenAI error object when <c>error.message</c> is present,
/// else the first of <c>message</c>, <c>msg</c>, <c>err</c>, <c>error_msg</c>, <c>detail</c>, <c>header.message</c>,
/// <c>response.error.message</c> or a string <c>error</c>; unparsable → "bad response status code N".
/// </summary>
public static class UpstreamErrorParser
{
    public static RelayError Parse(int status, ReadOnlySpan<byte> body)
    {
        var fallback = new RelayError
        {
            Status = status, UpstreamStatus = status, Message = $"bad response status code {status}", Type = ErrorTypes.Upstream,
            Code = ErrorCodes.BadResponseStatusCode,
        };
        if (body.IsEmpty) return fallback;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            return FromJson(status, doc.RootElement) ?? fallback;
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    private static RelayError? FromJson(int status, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("error"u8, out var err) && err.ValueKind == JsonValueKind.Object && Str(err, "message") is { Length: > 0 } msg)
        {
            var type = Str(err, "type");
            if (err.TryGetProperty("metadata"u8, out var meta) && meta.ValueKind == JsonValueKind.Object) msg += " " + meta.GetRawText();
            return new RelayError
            {
                Status = status, UpstreamStatus = status, Message = msg, Type = string.IsNullOrEmpty(type) ? ErrorTypes.Upstream : type,
                Code = Scalar(err, "code"), Param = Scalar(err, "param"), FromUpstream = true,
            };
        }
        var message = Str(root, "message") ?? Str(root, "msg") ?? Str(root, "err") ?? Str(root, "error_msg") ?? Str(root, "detail")
                      ?? Nested(root, "header", "message") ?? Nested(root, "response", "error", "message") ?? Str(root, "error");
        if (string.IsNullOrEmpty(message)) return null;
        return new RelayError
        {
            Status = status, UpstreamStatus = status, Message = message, Type = ErrorTypes.BadResponseStatus,
            Code = ErrorCodes.BadResponseStatusCode, FromUpstream = true,
        };
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Scalar(JsonElement obj, string name) => !obj.TryGetProperty(name, out var v) ? "" : v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Number => v.GetRawText(),
        _ => "",
    };

    private static string? Nested(JsonElement obj, params string[] path)
    {
        foreach (var p in path[..^1])
            if (!obj.TryGetProperty(p, out obj) || obj.ValueKind != JsonValueKind.Object) return null;
        return Str(obj, path[^1]);
    }
}
