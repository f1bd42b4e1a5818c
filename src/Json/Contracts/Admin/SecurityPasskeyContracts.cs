using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

public sealed record PasskeyStatusView(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("last_used_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastUsedAt);

/// <summary><c>data{options}</c>: WebAuthn creation/request options as the browser API takes them (binary as base64url).</summary>
public sealed record PasskeyOptionsView([property: JsonPropertyName("options")] JsonObject Options);
