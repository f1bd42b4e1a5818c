namespace NewApi.Relay.Convert;

/// <summary>
/// A request cannot be expressed in the upstream dialect (or a media URL the pipeline fetched has an unusable type).
/// The pipeline answers it as <c>convert_request_failed</c>, HTTP 400, in the caller's format; it is never retried.
/// </summary>
public sealed class ConversionException(string message) : Exception(message)
{
    public const string ErrorCode = "convert_request_failed";
}
