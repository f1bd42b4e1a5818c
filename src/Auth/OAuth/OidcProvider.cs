using System.Net.Http.Headers;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;

namespace NewApi.Auth.OAuth;

/// <summary>
/// OIDC with the oidc.* options. Endpoints left empty are taken from the discovery document at oidc.well_known
/// (fetched through the guarded client). A server-started sign-in uses PKCE (S256).
/// </summary>
public sealed class OidcProvider(OAuthHttp http) : OAuthProvider
{
    public override string Slug => "oidc";
    public override string Name => "OIDC";
    public override ExternalIdColumn? Column => ExternalIdColumn.Oidc;
    public override bool UsesPkce => true;
    public override bool IsEnabled(OptionsSnapshot o) => o.GetBool("oidc.enabled");
    public override string ClientId(OptionsSnapshot o) => o.Get("oidc.client_id");
    public override string Scopes(OptionsSnapshot o) => "openid profile email";

    public sealed record Endpoints(string Authorization, string Token, string UserInfo);

    public async Task<Endpoints> ResolveAsync(OptionsSnapshot o, CancellationToken ct)
    {
        var ep = new Endpoints(o.Get("oidc.authorization_endpoint").Trim(), o.Get("oidc.token_endpoint").Trim(), o.Get("oidc.user_info_endpoint").Trim());
        var wellKnown = o.Get("oidc.well_known").Trim();
        if ((ep.Authorization.Length > 0 && ep.Token.Length > 0 && ep.UserInfo.Length > 0) || wellKnown.Length == 0) return ep;
        if (!Uri.TryCreate(wellKnown, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            throw new OAuthException("OIDC discovery URL is invalid");
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var reply = await http.SendAsync(req, Name, ct);
        var doc = reply.Status == 200 ? OAuthCalls.ParseObject(reply.Body) : null;
        if (doc is not { } d) throw new OAuthException("Failed to fetch the OIDC discovery document");
        return new Endpoints(
            ep.Authorization.Length > 0 ? ep.Authorization : OAuthCalls.Field(d, "authorization_endpoint"),
            ep.Token.Length > 0 ? ep.Token : OAuthCalls.Field(d, "token_endpoint"),
            ep.UserInfo.Length > 0 ? ep.UserInfo : OAuthCalls.Field(d, "userinfo_endpoint"));
    }

    public override async Task<OAuthIdentity> FetchIdentityAsync(OAuthCallContext call, string code, CancellationToken ct)
    {
        var o = call.Options;
        var ep = await ResolveAsync(o, ct);
        var form = new List<KeyValuePair<string, string>>
        {
            new("client_id", o.Get("oidc.client_id")), new("client_secret", o.Get("oidc.client_secret")), new("code", code),
            new("grant_type", "authorization_code"), new("redirect_uri", RedirectUri(call)),
        };
        if (call.CodeVerifier is { } v) form.Add(new("code_verifier", v));
        var token = await OAuthCalls.ExchangeAsync(http, Name, ep.Token, form, null, null, ct);
        var u = await OAuthCalls.UserInfoAsync(http, Name, ep.UserInfo, token, ct);
        var sub = OAuthCalls.Field(u, "sub");
        var email = OAuthCalls.Field(u, "email");
        if (sub.Length == 0 || email.Length == 0) throw new OAuthException("OIDC returned empty user info, please check settings");
        return new OAuthIdentity(sub, OAuthCalls.Field(u, "preferred_username"), OAuthCalls.Field(u, "name"), email);
    }

    public override async Task<string?> AuthorizeUrlAsync(OAuthCallContext call, CancellationToken ct)
    {
        var ep = await ResolveAsync(call.Options, ct);
        return ep.Authorization.Length > 0 ? ep.Authorization : null;
    }
}
