using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>GET /api/channel/test/{id}: New API puts <c>time</c> (seconds) and <c>error_code</c> at the top level.</summary>
public sealed record ChannelTestReply(
    bool Success,
    string Message,
    double Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorCode);

/// <summary>GET /api/channel/update_balance/{id}: the balance (USD) is a top-level field.</summary>
public sealed record ChannelBalanceReply(
    bool Success,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Balance);

/// <summary>403 of the key reveal when identity was not re-proved: New API's secure-verification shape with <c>code</c>.</summary>
public sealed record VerificationReply(bool Success, string Message, string Code);
