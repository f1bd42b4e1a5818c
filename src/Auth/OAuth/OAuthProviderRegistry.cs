using NewApi.Storage.OAuth;

namespace NewApi.Auth.OAuth;

/// <summary>Finds the provider behind /api/oauth/{provider}: a built-in one or a custom_oauth_providers slug.</summary>
public sealed class OAuthProviderRegistry(OAuthHttp http, OAuthEndpointSet urls, CustomOAuthProviderRepository custom, SecretBox box)
{
    private readonly Dictionary<string, OAuthProvider> _builtIn = new(StringComparer.Ordinal)
    {
        ["github"] = new GitHubProvider(http, urls),
        ["discord"] = new DiscordProvider(http, urls),
        ["oidc"] = new OidcProvider(http),
        ["linuxdo"] = new LinuxDoProvider(http, urls),
    };

    /// <summary>Slugs a custom provider may not take.</summary>
    public static readonly string[] Reserved = ["github", "discord", "oidc", "linuxdo", "wechat", "telegram", "email", "state"];

    public async Task<OAuthProvider?> FindAsync(string slug, CancellationToken ct)
    {
        if (_builtIn.TryGetValue(slug, out var p)) return p;
        if (slug.Length is 0 or > 64) return null;
        var row = await custom.FindBySlugAsync(slug, ct);
        return row is null ? null : new CustomProvider(http, row, box.Decrypt(row.ClientSecret));
    }
}
