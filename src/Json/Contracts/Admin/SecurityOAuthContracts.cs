using System.Text.Json.Serialization;

namespace NewApi.Json.Contracts.Admin;

public sealed record OAuthBindView([property: JsonPropertyName("action")] string Action);

public sealed class EmailBindRequest
{
    [JsonPropertyName("email")] public string? Email { get; set; }
    [JsonPropertyName("code")] public string? Code { get; set; }
}

/// <summary>Create/update body of /api/custom-oauth-provider (client_secret is write-only; empty on update keeps the stored one).</summary>
public sealed class CustomOAuthProviderRequest
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("slug")] public string? Slug { get; set; }
    [JsonPropertyName("icon")] public string? Icon { get; set; }
    [JsonPropertyName("enabled")] public bool Enabled { get; set; }
    [JsonPropertyName("client_id")] public string? ClientId { get; set; }
    [JsonPropertyName("client_secret")] public string? ClientSecret { get; set; }
    [JsonPropertyName("authorization_endpoint")] public string? AuthorizationEndpoint { get; set; }
    [JsonPropertyName("token_endpoint")] public string? TokenEndpoint { get; set; }
    [JsonPropertyName("user_info_endpoint")] public string? UserInfoEndpoint { get; set; }
    [JsonPropertyName("scopes")] public string? Scopes { get; set; }
    [JsonPropertyName("user_id_field")] public string? UserIdField { get; set; }
    [JsonPropertyName("username_field")] public string? UsernameField { get; set; }
    [JsonPropertyName("display_name_field")] public string? DisplayNameField { get; set; }
    [JsonPropertyName("email_field")] public string? EmailField { get; set; }
    [JsonPropertyName("auth_style")] public int AuthStyle { get; set; }
    [JsonPropertyName("access_policy")] public string? AccessPolicy { get; set; }
}

/// <summary>A custom provider as Root sees it: everything but client_secret.</summary>
public sealed record CustomOAuthProviderView
{
    [JsonPropertyName("id")] public long Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("slug")] public string Slug { get; init; } = "";
    [JsonPropertyName("icon")] public string Icon { get; init; } = "";
    [JsonPropertyName("enabled")] public bool Enabled { get; init; }
    [JsonPropertyName("client_id")] public string ClientId { get; init; } = "";
    [JsonPropertyName("authorization_endpoint")] public string AuthorizationEndpoint { get; init; } = "";
    [JsonPropertyName("token_endpoint")] public string TokenEndpoint { get; init; } = "";
    [JsonPropertyName("user_info_endpoint")] public string UserInfoEndpoint { get; init; } = "";
    [JsonPropertyName("scopes")] public string Scopes { get; init; } = "";
    [JsonPropertyName("user_id_field")] public string UserIdField { get; init; } = "";
    [JsonPropertyName("username_field")] public string UsernameField { get; init; } = "";
    [JsonPropertyName("display_name_field")] public string DisplayNameField { get; init; } = "";
    [JsonPropertyName("email_field")] public string EmailField { get; init; } = "";
    [JsonPropertyName("auth_style")] public int AuthStyle { get; init; }
    [JsonPropertyName("access_policy")] public string AccessPolicy { get; init; } = "";
}
