using System.Text;
using NewApi.Admin.Tokens;
using NewApi.Auth.Registration;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;

namespace NewApi.Admin.Users;

/// <summary>
/// GENERATE_DEFAULT_TOKEN (server.generate_default_token): New API gives each new user an unlimited, never-expiring
/// key named "&lt;username&gt;的初始令牌", in group "auto" when DefaultUseAutoGroup is on.
/// </summary>
public sealed class DefaultTokenIssuer(TokenService tokens, OptionsStore options) : IDefaultTokenIssuer
{
    private const string Suffix = "的初始令牌";

    public async Task<string?> IssueAsync(long userId, string username, CancellationToken ct)
    {
        var request = new TokenRequest
        {
            Name = Name(username), ExpiredTime = -1, RemainQuota = 500000, UnlimitedQuota = true,
            Group = options.Current.GetBool("DefaultUseAutoGroup") ? "auto" : "",
        };
        var (_, _, error) = await tokens.CreateAsync(userId, request, ct);
        return error;
    }

    /// <summary>The name, with the username shortened when needed to stay within the 50-byte token name limit.</summary>
    private static string Name(string username)
    {
        var budget = TokenService.MaxNameBytes - Encoding.UTF8.GetByteCount(Suffix);
        var sb = new StringBuilder();
        var used = 0;
        foreach (var rune in username.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget) break;
            sb.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        return sb + Suffix;
    }
}
