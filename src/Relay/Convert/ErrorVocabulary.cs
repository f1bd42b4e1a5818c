namespace NewApi.Relay.Convert;

/// <summary>Error vocabularies: HTTP status ⇄ Claude error types ⇄ Gemini status names ⇄ OpenAI error types.</summary>
internal static class ErrorVocabulary
{
    private static readonly HashSet<string> ClaudeTypes =
    [
        "invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large",
        "rate_limit_error", "api_error", "overloaded_error", "billing_error", "timeout_error",
    ];

    public static string ClaudeTypeOf(int status) => status switch
    {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "api_error",
    };

    /// <summary>A Claude upstream's own type as is; otherwise by status (OpenAI calls a bad key invalid_request_error, with 401).</summary>
    public static string ClaudeType(UpstreamError e) =>
        e.Source == WireFamily.Claude && ClaudeTypes.Contains(e.Type) ? e.Type
        : e.Status is >= 400 and < 600 ? ClaudeTypeOf(e.Status)
        : ClaudeTypes.Contains(e.Type) ? e.Type : "api_error";

    public static string GeminiStatus(int status) => status switch
    {
        400 or 413 or 422 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        502 or 503 or 529 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        >= 400 and < 500 => "FAILED_PRECONDITION",
        _ => "INTERNAL",
    };

    public static string GeminiStatusOf(UpstreamError e) => e.Source == WireFamily.Gemini && IsUpperSnake(e.Type) ? e.Type : GeminiStatus(e.Status);

    public static string OpenAiTypeOf(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "api_error",
    };

    /// <summary>OpenAI and Claude types pass through (they share most names); Gemini status names are mapped by HTTP status.</summary>
    public static string OpenAiType(UpstreamError e) => e.Source == WireFamily.Gemini ? OpenAiTypeOf(e.Status) : e.Type;

    /// <summary>Status for an error seen inside a stream, where no HTTP status accompanies it.</summary>
    public static int StatusOf(string type) => type switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" or "rate_limit_exceeded" or "insufficient_quota" => 429,
        "overloaded_error" => 529,
        "timeout_error" => 504,
        _ => 500,
    };

    private static bool IsUpperSnake(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterUpper(c) || c == '_');
}
