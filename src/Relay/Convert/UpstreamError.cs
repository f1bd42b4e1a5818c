namespace NewApi.Relay.Convert;

/// <summary>
/// An upstream error in dialect-neutral form: HTTP status, message, the upstream's error type/code. The pipeline scrubs
/// <see cref="Message"/> (channel key, upstream host; relay.md §2.20) with <c>with { Message = … }</c> before writing it.
/// </summary>
/// <param name="Status">HTTP status (from the response, or derived from the type for errors inside a stream).</param>
/// <param name="Message">Human-readable message.</param>
/// <param name="Type">Error type in the upstream's vocabulary (OpenAI <c>type</c>, Claude <c>error.type</c>, Gemini <c>status</c>).</param>
/// <param name="Code">OpenAI <c>code</c>, when the upstream gave one.</param>
/// <param name="Param">OpenAI <c>param</c>, when the upstream gave one.</param>
/// <param name="Source">Dialect the error came from.</param>
public sealed record UpstreamError(int Status, string Message, string Type, string? Code, string? Param, WireFamily Source);
