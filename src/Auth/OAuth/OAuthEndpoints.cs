using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NewApi.Auth.Passkeys;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Auth.OAuth;

/// <summary>GET /api/oauth/state, GET /api/oauth/{provider} (callback: login, bind or sign-up) and a server-started authorize step.</summary>
public static class OAuthEndpoints
{
    public const string StateInvalid = "State parameter is empty or mismatched";
    private const string PkceKey = "pkce";

    /// <summary>Services of the sign-in area; <see cref="OAuthHttp"/> itself is registered by the composition root.</summary>
    public static IServiceCollection AddOAuth(this IServiceCollection services)
    {
        services.TryAddSingleton<OAuthEndpointSet>();
        services.AddSingleton<OAuthProviderRegistry>();
        services.AddSingleton<OAuthSignIn>();
        services.AddSingleton<WeChatClient>();
        return services;
    }

    public static RouteGroupBuilder MapOAuth(this RouteGroupBuilder api)
    {
        api.MapGet("/oauth/state", State).RateLimited(RateLimitKind.Critical);
        api.MapGet("/oauth/{provider}", CallbackAsync).RateLimited(RateLimitKind.Critical);
        api.MapGet("/oauth/{provider}/authorize", AuthorizeAsync).RateLimited(RateLimitKind.Critical);
        api.MapWeChat().MapTelegram().MapEmailBind().MapCustomOAuthProviders();
        return api;
    }

    private static IResult Fail(string message, int status = 200) => Results.Json(Api.Fail(message), AdminJson.Default.Reply, statusCode: status);

    private static IResult State(HttpContext ctx, SessionService sessions)
    {
        var session = sessions.Read(ctx);
        var state = RandomStrings.Alnum(12);
        session.OAuthState = state;
        var aff = ctx.Request.Query["aff"].ToString();
        if (aff.Length is > 0 and <= 64) session.Aff = aff;
        session.Extra?.Remove(PkceKey);
        sessions.Write(ctx, session);
        return Results.Json(Api.Ok(state), AdminJson.Default.EnvelopeString);
    }

    private static async Task<IResult> CallbackAsync(string provider, HttpContext ctx, SessionService sessions, OAuthProviderRegistry registry,
        OptionsStore options, UserRepository users, OAuthSignIn signIn, CancellationToken ct)
    {
        var p = await registry.FindAsync(provider, ct);
        if (p is null) return Fail("Unknown OAuth provider", StatusCodes.Status400BadRequest);
        var session = sessions.Read(ctx);
        var state = ctx.Request.Query["state"].ToString();
        if (state.Length == 0 || session.OAuthState is not { Length: > 0 } expected
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(expected)))
            return Fail(StateInvalid, StatusCodes.Status403Forbidden);
        // NewApi: New API left the state in the session, so one state served any number of callbacks; it is used up here.
        session.OAuthState = null;
        var verifier = TakeVerifier(session, state);
        sessions.Write(ctx, session);

        var o = options.Current;
        if (!p.IsEnabled(o)) return Fail($"{p.Name} login and registration has not been enabled by administrator");
        var binder = session.UserId > 0 ? await users.FindAsync(session.UserId, ct) : null;
        if (binder is { Status: not UserStatus.Enabled }) binder = null;
        if (ctx.Request.Query["error"].ToString().Length > 0) return Fail(ctx.Request.Query["error_description"].ToString());
        var code = ctx.Request.Query["code"].ToString();
        if (code.Length == 0) return Fail("Invalid authorization code");
        OAuthIdentity identity;
        try
        {
            identity = await p.FetchIdentityAsync(new OAuthCallContext(o, ctx.Request, verifier), code, ct);
        }
        catch (OAuthException e)
        {
            return Fail(e.Message);
        }
        if (binder is not null)
        {
            var error = await signIn.BindAsync(binder.Id, p, identity, ct);
            return error.Length > 0 ? Fail(error) : Results.Json(Api.Ok(new OAuthBindView("bind"), "Binding successful"), SecurityJson.Default.EnvelopeOAuthBindView);
        }
        var outcome = await signIn.LoginAsync(ctx, p, identity, session.Aff, ct);
        return outcome.Login is null ? Fail(outcome.Error) : Results.Json(Api.Ok(outcome.Login), AdminJson.Default.EnvelopeLoginView);
    }

    /// <summary>
    /// NewApi addition: redirects to the provider with a fresh state and, for OIDC and custom providers, a PKCE S256
    /// challenge whose verifier stays in the session for the callback. The console's own flow (/oauth/state) still works.
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(string provider, HttpContext ctx, SessionService sessions, OAuthProviderRegistry registry,
        OptionsStore options, CancellationToken ct)
    {
        var p = await registry.FindAsync(provider, ct);
        if (p is null) return Fail("Unknown OAuth provider", StatusCodes.Status400BadRequest);
        var o = options.Current;
        if (!p.IsEnabled(o)) return Fail($"{p.Name} login and registration has not been enabled by administrator");
        var call = new OAuthCallContext(o, ctx.Request, null);
        string? endpoint;
        try
        {
            endpoint = await p.AuthorizeUrlAsync(call, ct);
        }
        catch (OAuthException e)
        {
            return Fail(e.Message);
        }
        if (endpoint is null) return Fail($"{p.Name} authorization endpoint is not configured");
        var session = sessions.Read(ctx);
        var state = RandomStrings.Alnum(12);
        session.OAuthState = state;
        var aff = ctx.Request.Query["aff"].ToString();
        if (aff.Length is > 0 and <= 64) session.Aff = aff;
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = p.ClientId(o), ["redirect_uri"] = p.RedirectUri(call), ["response_type"] = "code", ["state"] = state,
        };
        if (p.Scopes(o) is { Length: > 0 } scope) query["scope"] = scope;
        if (p.UsesPkce)
        {
            var verifier = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
            session.Extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
            session.Extra[PkceKey] = state + "|" + verifier;
            query["code_challenge"] = Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            query["code_challenge_method"] = "S256";
        }
        sessions.Write(ctx, session);
        return Results.Redirect(QueryHelpers.AddQueryString(endpoint, query));
    }

    private static string? TakeVerifier(SessionData session, string state)
    {
        if (session.Extra is null || !session.Extra.Remove(PkceKey, out var raw)) return null;
        if (session.Extra.Count == 0) session.Extra = null;
        var sep = raw.IndexOf('|', StringComparison.Ordinal);
        return sep > 0 && raw[..sep] == state ? raw[(sep + 1)..] : null;
    }
}
