using Microsoft.AspNetCore.Http;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;

namespace NewApi.Auth.OAuth;

/// <summary>The account a provider vouches for.</summary>
public sealed record OAuthIdentity(string ProviderUserId, string Username, string DisplayName, string Email, string? LegacyId = null);

/// <summary>Per-callback inputs: options, the redirect_uri the authorize step used, and the PKCE verifier when there was one.</summary>
public sealed record OAuthCallContext(OptionsSnapshot Options, HttpRequest Request, string? CodeVerifier);

/// <summary>One sign-in provider (built-in or a custom_oauth_providers row).</summary>
public abstract class OAuthProvider
{
    /// <summary>Route name: /api/oauth/{Slug}.</summary>
    public abstract string Slug { get; }
    public abstract string Name { get; }
    /// <summary>New API's username prefix for sign-ups whose provider name is taken (github_, discord_, …).</summary>
    public virtual string Prefix => Slug + "_";
    /// <summary>Built-in providers keep the id in a users column; custom ones in user_oauth_bindings.</summary>
    public virtual ExternalIdColumn? Column => null;
    public virtual long CustomProviderId => 0;
    public virtual bool UsesPkce => false;

    public abstract bool IsEnabled(OptionsSnapshot options);

    /// <summary>Exchanges the authorization code and reads the user; throws <see cref="OAuthException"/> with a user-facing message.</summary>
    public abstract Task<OAuthIdentity> FetchIdentityAsync(OAuthCallContext call, string code, CancellationToken ct);

    /// <summary>Authorization URL for a server-started sign-in (state and PKCE challenge added by the caller), or null.</summary>
    public abstract Task<string?> AuthorizeUrlAsync(OAuthCallContext call, CancellationToken ct);

    public abstract string ClientId(OptionsSnapshot options);

    public virtual string Scopes(OptionsSnapshot options) => "";

    /// <summary>
    /// The redirect_uri the console registered: ServerAddress (or this request's origin) + /oauth/{slug}, the page that
    /// hands code and state to /api/oauth/{slug}.
    /// </summary>
    public virtual string RedirectUri(OAuthCallContext call) => Origin(call) + "/oauth/" + Slug;

    public static string Origin(OAuthCallContext call)
    {
        var configured = call.Options.Get("ServerAddress").Trim().TrimEnd('/');
        return configured.Length > 0 ? configured : $"{call.Request.Scheme}://{call.Request.Host.Value}";
    }
}
