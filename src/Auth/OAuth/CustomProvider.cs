using System.Text.Json;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;

namespace NewApi.Auth.OAuth;

/// <summary>A Root-defined provider (custom_oauth_providers): field paths, client auth style, optional access policy, PKCE.</summary>
public sealed class CustomProvider(OAuthHttp http, CustomOAuthProviderRow row, string clientSecret) : OAuthProvider
{
    public override string Slug => row.Slug;
    public override string Name => row.Name.Length > 0 ? row.Name : row.Slug;
    public override long CustomProviderId => row.Id;
    public override bool UsesPkce => true;
    public override bool IsEnabled(OptionsSnapshot o) => row.Enabled;
    public override string ClientId(OptionsSnapshot o) => row.ClientId;
    public override string Scopes(OptionsSnapshot o) => row.Scopes;

    public override async Task<OAuthIdentity> FetchIdentityAsync(OAuthCallContext call, string code, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", RedirectUri(call)),
        };
        var basic = row.AuthStyle == 2;
        if (!basic)
        {
            form.Add(new("client_id", row.ClientId));
            form.Add(new("client_secret", clientSecret));
        }
        if (call.CodeVerifier is { } v) form.Add(new("code_verifier", v));
        var token = await OAuthCalls.ExchangeAsync(http, Name, row.TokenEndpoint, form, basic ? row.ClientId : null, basic ? clientSecret : null, ct);
        var u = await OAuthCalls.UserInfoAsync(http, Name, row.UserInfoEndpoint, token, ct);
        var id = OAuthCalls.Field(u, row.UserIdField);
        if (id.Length == 0) throw new OAuthException($"{Name} returned empty user info, please check settings");
        if (row.AccessPolicy.Trim().Length > 0 && !AccessPolicy.Allows(row.AccessPolicy, u))
            throw new OAuthException($"Your {Name} account is not allowed to sign in here");
        return new OAuthIdentity(id, OAuthCalls.Field(u, row.UsernameField), OAuthCalls.Field(u, row.DisplayNameField), OAuthCalls.Field(u, row.EmailField));
    }

    public override Task<string?> AuthorizeUrlAsync(OAuthCallContext call, CancellationToken ct) =>
        Task.FromResult<string?>(row.AuthorizationEndpoint.Length > 0 ? row.AuthorizationEndpoint : null);
}
