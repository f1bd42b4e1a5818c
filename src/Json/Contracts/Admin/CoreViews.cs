using System.Text.Json;
using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

/// <summary>OpenAI-style error object New API answers with for unknown /api and /v1 paths.</summary>
public sealed record OpenAiErrorBody([property: JsonPropertyName("error")] OpenAiError Error);

public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] JsonElement? Code);

public sealed record SetupStatusView(
    [property: JsonPropertyName("status")] bool Status,
    [property: JsonPropertyName("root_init"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? RootInit,
    [property: JsonPropertyName("database_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DatabaseType);

public sealed class SetupRequest
{
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
    [JsonPropertyName("confirmPassword")] public string? ConfirmPassword { get; set; }
    [JsonPropertyName("SelfUseModeEnabled")] public bool SelfUseModeEnabled { get; set; }
    [JsonPropertyName("DemoSiteEnabled")] public bool DemoSiteEnabled { get; set; }
}

public sealed class LoginRequest
{
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
}

public sealed record LoginView(long Id, string Username, string DisplayName, int Role, int Status, string Group);

public sealed record Require2FaView([property: JsonPropertyName("require_2fa")] bool Require2Fa);

public sealed record OptionItem([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("value")] string Value);

public sealed class OptionUpdateRequest
{
    [JsonPropertyName("key")] public string? Key { get; set; }
    /// <summary>String, number or bool: converted to the stored string form.</summary>
    [JsonPropertyName("value")] public JsonElement Value { get; set; }
}
