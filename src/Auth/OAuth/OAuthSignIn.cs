using Microsoft.AspNetCore.Http;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Auth.OAuth;

/// <summary>
/// What happens once a provider has vouched for an account: sign in the bound user, bind it to the signed-in user,
/// or register a new user (New API's rules: provider username if free and ≤ 20 chars, else prefix + next id).
/// </summary>
public sealed class OAuthSignIn(ExternalIdentityRepository identities, UserRepository users, OptionsStore options, Endpoints.LoginRecorder recorder)
{
    public sealed record Outcome(LoginView? Login, string Error);

    public async Task<UserRow?> FindBoundAsync(OAuthProvider provider, OAuthIdentity id, CancellationToken ct)
    {
        if (provider.Column is not { } col) return await identities.FindByBindingAsync(provider.CustomProviderId, id.ProviderUserId, ct);
        var user = await identities.FindAsync(col, id.ProviderUserId, ct);
        if (user is not null || id.LegacyId is not { Length: > 0 } legacy) return user;
        // new-api: GitHub accounts once stored under the login name move to the numeric id at their next sign-in.
        var old = await identities.FindAsync(col, legacy, ct);
        if (old is { DeletedAt: null }) await identities.SetAsync(old.Id, col, id.ProviderUserId, ct);
        return old;
    }

    public async Task<Outcome> LoginAsync(HttpContext ctx, OAuthProvider provider, OAuthIdentity id, string? aff, CancellationToken ct)
    {
        var user = await FindBoundAsync(provider, id, ct);
        if (user is not null)
        {
            if (user.DeletedAt is not null) return new(null, "User has been deleted");
            if (user.Status != UserStatus.Enabled) return new(null, "User has been banned");
            return new(await recorder.CompleteLoginAsync(ctx, user, provider.Slug, ct), "");
        }
        var o = options.Current;
        if (!o.GetBool("RegisterEnabled")) return new(null, "New user registration has been disabled by administrator");
        var email = id.Email.Trim().ToLowerInvariant();
        if (email.Length > 0 && await users.EmailExistsAsync(email, ct)) return new(null, "Email is already in use by another account");
        var display = id.DisplayName.Length > 0 ? id.DisplayName : id.Username.Length > 0 ? id.Username : provider.Name + " User";
        var newId = await identities.CreateUserAsync(new ExternalIdentityRepository.NewExternalUser(id.Username, provider.Prefix,
            Truncate(display, 20), email, o.GetLong("QuotaForNewUser"), await identities.InviterIdAsync(aff, ct), RandomStrings.Alnum(4),
            provider.Column, provider.CustomProviderId, id.ProviderUserId), recorder.Now(), ct);
        var created = await users.FindAsync(newId, ct);
        return created is null ? new(null, "User registration failed") : new(await recorder.CompleteLoginAsync(ctx, created, provider.Slug, ct), "");
    }

    /// <summary>Binds the identity to <paramref name="userId"/>; returns an error message or "".</summary>
    public async Task<string> BindAsync(long userId, OAuthProvider provider, OAuthIdentity id, CancellationToken ct)
    {
        var taken = $"This {provider.Name} account has already been bound";
        if (provider.Column is not { } col)
        {
            if (await identities.IsBindingTakenAsync(provider.CustomProviderId, id.ProviderUserId, ct)) return taken;
            await identities.BindCustomAsync(userId, provider.CustomProviderId, id.ProviderUserId, recorder.Now(), ct);
            return "";
        }
        if (await identities.FindAsync(col, id.ProviderUserId, ct) is not null) return taken;
        if (id.LegacyId is { Length: > 0 } legacy && await identities.FindAsync(col, legacy, ct) is not null) return taken;
        await identities.SetAsync(userId, col, id.ProviderUserId, ct);
        return "";
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
