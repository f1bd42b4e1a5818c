namespace NewApi.Auth.OAuth;

/// <summary>
/// Fixed endpoints of the built-in providers. A singleton so a deployment (or a test with an in-process fake) can
/// point them elsewhere through DI; OIDC and custom providers take theirs from options / custom_oauth_providers.
/// </summary>
public sealed class OAuthEndpointSet
{
    public string GitHubAuthorize { get; init; } = "https://github.com/login/oauth/authorize";
    public string GitHubToken { get; init; } = "https://github.com/login/oauth/access_token";
    public string GitHubUser { get; init; } = "https://api.github.com/user";
    public string DiscordAuthorize { get; init; } = "https://discord.com/oauth2/authorize";
    public string DiscordToken { get; init; } = "https://discord.com/api/v10/oauth2/token";
    public string DiscordUser { get; init; } = "https://discord.com/api/v10/users/@me";
    public string LinuxDoAuthorize { get; init; } = "https://connect.linux.do/oauth2/authorize";
    public string LinuxDoToken { get; init; } = "https://connect.linux.do/oauth2/token";
    public string LinuxDoUser { get; init; } = "https://connect.linux.do/api/user";
}
