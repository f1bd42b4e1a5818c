using Microsoft.AspNetCore.Http;

namespace NewApi.Relay.Errors;

/// <summary>
/// A failed relay step as a value (relay.md §2.17–§2.20): HTTP status, New API error code and type, the message, and
/// the flags the retry and auto-disable decisions read. <see cref="UpstreamStatus"/> is the status the provider
/// really answered (decisions use it); <see cref="Status"/> is what the client gets, after status_code_mapping.
/// </summary>
public sealed record RelayError
{
    public required int Status { get; init; }
    public required string Message { get; init; }
    public string Type { get; init; } = ErrorTypes.NewApi;
    public string Code { get; init; } = "";
    public string Param { get; init; } = "";
    /// <summary>Local or validation error: never retried, never disables a channel.</summary>
    public bool SkipRetry { get; init; }
    /// <summary>An error object the provider sent: relayed as is, without the request id suffix.</summary>
    public bool FromUpstream { get; init; }
    /// <summary>The provider's own status (0 for local errors).</summary>
    public int UpstreamStatus { get; init; }

    /// <summary>New API's <c>channel:*</c> codes: always retried on another channel, may disable this one.</summary>
    public bool IsChannelError => Code.StartsWith("channel:", StringComparison.Ordinal);

    public static RelayError Local(int status, string message, string code = "", bool skipRetry = true, string type = ErrorTypes.NewApi) =>
        new() { Status = status, Message = message, Code = code, SkipRetry = skipRetry, Type = type };

    public static RelayError BadRequest(string message, string code = ErrorCodes.InvalidRequest) =>
        Local(StatusCodes.Status400BadRequest, message, code, type: ErrorTypes.InvalidRequest);
}

public static class ErrorTypes
{
    public const string NewApi = "new_api_error";
    public const string InvalidRequest = "invalid_request_error";
    public const string Upstream = "upstream_error";
    public const string BadResponseStatus = "bad_response_status_code";
}

/// <summary>New API's error codes that clients see (relay.md §2.20).</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string AccessDenied = "access_denied";
    public const string ModelNotFound = "model_not_found";
    public const string ModelPriceError = "model_price_error";
    public const string InsufficientUserQuota = "insufficient_user_quota";
    public const string PreConsumeTokenQuotaFailed = "pre_consume_token_quota_failed";
    public const string ReadRequestBodyFailed = "read_request_body_failed";
    public const string DoRequestFailed = "do_request_failed";
    public const string GetChannelFailed = "get_channel_failed";
    public const string BadResponseStatusCode = "bad_response_status_code";
    public const string BadResponseBody = "bad_response_body";
    public const string BadResponse = "bad_response";
    public const string ReadResponseBodyFailed = "read_response_body_failed";
    public const string ConvertRequestFailed = "convert_request_failed";
    public const string ApiNotImplemented = "api_not_implemented";
    public const string CountTokenFailed = "count_token_failed";
    public const string RateLimited = "rate_limit_exceeded";
    public const string ChannelNoAvailableKey = "channel:no_available_key";
    public const string ChannelParamOverrideInvalid = "channel:param_override_invalid";
    public const string ChannelHeaderOverrideInvalid = "channel:header_override_invalid";
    public const string ChannelModelMappedError = "channel:model_mapped_error";
    public const string ChannelInvalidKey = "channel:invalid_key";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string StreamInterrupted = "stream_interrupted";
}
