using NewApi.Common;

namespace NewApi.Relay.Probe;

/// <summary>What a probe call needs of a channel: type, resolved base URL, one plaintext key and its overrides.</summary>
public sealed record ProbeTarget(ChannelType Type, string BaseUrl, string Key)
{
    public string? Organization { get; init; }
    /// <summary>channels.header_override JSON; <c>{api_key}</c> is substituted, client pass-through rules are ignored.</summary>
    public string? HeaderOverride { get; init; }
    /// <summary>channels.other (Azure: the api-version).</summary>
    public string? Other { get; init; }
}

/// <summary>Which upstream endpoint a channel test exercises.</summary>
public enum ProbeKind { Chat, Embeddings, Rerank, Image, Responses }

public sealed record ProbeRequest(string Model, ProbeKind Kind, bool Stream);

/// <summary>
/// Result of a channel test. <see cref="StatusCode"/> is the upstream HTTP status (0 when no response arrived);
/// <see cref="ErrorCode"/>/<see cref="ErrorType"/> come from the upstream error object when there is one.
/// </summary>
public sealed record ProbeOutcome(bool Ok, string Message, int StatusCode, string? ErrorCode, string? ErrorType, long PromptTokens, long CompletionTokens)
{
    public static ProbeOutcome Success(long prompt, long completion) => new(true, "", 200, null, null, prompt, completion);
    public static ProbeOutcome Failure(string message, string code, int status = 0, string? type = null) => new(false, message, status, code, type, 0, 0);
}

/// <summary>A model list or the reason there is none.</summary>
public sealed record ModelListOutcome(List<string>? Models, string? Error);

/// <summary>A balance in USD or the reason there is none.</summary>
public sealed record BalanceOutcome(double? Balance, string? Error);
