using NewApi.Storage.OAuth;
using NewApi.Storage.Options;

namespace NewApi.Auth.OAuth;

/// <summary>GitHub: numeric id is the identity (the login is kept as the legacy id New API once stored).</summary>
public sealed class GitHubProvider(OAuthHttp http, OAuthEndpointSet urls) : OAuthProvider
{
    public override string Slug => "github";
    public override string Name => "GitHub";
    public override ExternalIdColumn? Column => ExternalIdColumn.GitHub;
    public override bool IsEnabled(OptionsSnapshot o) => o.GetBool("GitHubOAuthEnabled");
    public override string ClientId(OptionsSnapshot o) => o.Get("GitHubClientId");
    public override string Scopes(OptionsSnapshot o) => "user:email";

    public override async Task<OAuthIdentity> FetchIdentityAsync(OAuthCallContext call, string code, CancellationToken ct)
    {
        var o = call.Options;
        var token = await OAuthCalls.ExchangeAsync(http, Name, urls.GitHubToken,
            [new("client_id", o.Get("GitHubClientId")), new("client_secret", o.Get("GitHubClientSecret")), new("code", code)], null, null, ct, jsonBody: true);
        var u = await OAuthCalls.UserInfoAsync(http, Name, urls.GitHubUser, token, ct);
        var id = OAuthCalls.Number(u, "id");
        var login = OAuthCalls.Field(u, "login");
        if (id == 0 || login.Length == 0) throw new OAuthException("GitHub returned empty user info, please check settings");
        return new OAuthIdentity(id.ToString(System.Globalization.CultureInfo.InvariantCulture), login, OAuthCalls.Field(u, "name"),
            OAuthCalls.Field(u, "email"), login);
    }

    public override Task<string?> AuthorizeUrlAsync(OAuthCallContext call, CancellationToken ct) => Task.FromResult<string?>(urls.GitHubAuthorize);
}

public sealed class DiscordProvider(OAuthHttp http, OAuthEndpointSet urls) : OAuthProvider
{
    public override string Slug => "discord";
    public override string Name => "Discord";
    public override ExternalIdColumn? Column => ExternalIdColumn.Discord;
    public override bool IsEnabled(OptionsSnapshot o) => o.GetBool("discord.enabled");
    public override string ClientId(OptionsSnapshot o) => o.Get("discord.client_id");
    public override string Scopes(OptionsSnapshot o) => "identify";

    public override async Task<OAuthIdentity> FetchIdentityAsync(OAuthCallContext call, string code, CancellationToken ct)
    {
        var o = call.Options;
        var token = await OAuthCalls.ExchangeAsync(http, Name, urls.DiscordToken,
            [new("client_id", o.Get("discord.client_id")), new("client_secret", o.Get("discord.client_secret")), new("code", code),
             new("grant_type", "authorization_code"), new("redirect_uri", RedirectUri(call))], null, null, ct);
        var u = await OAuthCalls.UserInfoAsync(http, Name, urls.DiscordUser, token, ct);
        var id = OAuthCalls.Field(u, "id");
        var username = OAuthCalls.Field(u, "username");
        if (id.Length == 0 || username.Length == 0) throw new OAuthException("Discord returned empty user info, please check settings");
        return new OAuthIdentity(id, username, OAuthCalls.Field(u, "global_name"), "");
    }

    public override Task<string?> AuthorizeUrlAsync(OAuthCallContext call, CancellationToken ct) => Task.FromResult<string?>(urls.DiscordAuthorize);
}

/// <summary>Linux DO: HTTP Basic client auth; the account's trust level must reach LinuxDOMinimumTrustLevel.</summary>
public sealed class LinuxDoProvider(OAuthHttp http, OAuthEndpointSet urls) : OAuthProvider
{
    public override string Slug => "linuxdo";
    public override string Name => "Linux DO";
    public override ExternalIdColumn? Column => ExternalIdColumn.LinuxDo;
    public override bool IsEnabled(OptionsSnapshot o) => o.GetBool("LinuxDOOAuthEnabled");
    public override string ClientId(OptionsSnapshot o) => o.Get("LinuxDOClientId");

    /// <summary>new-api registers Linux DO apps with the API route itself as the callback.</summary>
    public override string RedirectUri(OAuthCallContext call) => Origin(call) + "/api/oauth/linuxdo";

    public override async Task<OAuthIdentity> FetchIdentityAsync(OAuthCallContext call, string code, CancellationToken ct)
    {
        var o = call.Options;
        var token = await OAuthCalls.ExchangeAsync(http, Name, urls.LinuxDoToken,
            [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", RedirectUri(call))],
            o.Get("LinuxDOClientId"), o.Get("LinuxDOClientSecret"), ct);
        var u = await OAuthCalls.UserInfoAsync(http, Name, urls.LinuxDoUser, token, ct);
        var id = OAuthCalls.Number(u, "id");
        if (id == 0) throw new OAuthException("Linux DO returned empty user info, please check settings");
        if (OAuthCalls.Number(u, "trust_level") < o.GetLong("LinuxDOMinimumTrustLevel"))
            throw new OAuthException("Linux DO trust level does not meet the minimum required by administrator");
        return new OAuthIdentity(id.ToString(System.Globalization.CultureInfo.InvariantCulture), OAuthCalls.Field(u, "username"),
            OAuthCalls.Field(u, "name"), "");
    }

    public override Task<string?> AuthorizeUrlAsync(OAuthCallContext call, CancellationToken ct) => Task.FromResult<string?>(urls.LinuxDoAuthorize);
}
