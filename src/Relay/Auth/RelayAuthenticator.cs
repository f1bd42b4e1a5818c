using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Billing.Ledger;
using NewApi.Billing.Prices;
using NewApi.Common;
using NewApi.Relay.Errors;
using NewApi.Storage.Channels;
using NewApi.Storage.Tokens;

namespace NewApi.Relay.Auth;

/// <summary>
/// TokenAuth (relay.md §2.1): key → token → owner, every check from memory. An unknown, disabled, expired or
/// exhausted key is the same 401 "Invalid token"; an expired or exhausted one is also marked so in the table.
/// </summary>
public sealed class RelayAuthenticator(RelayIdentityCache cache, BalanceBook book, TokenRepository tokens, GroupPolicy groups,
    PriceBook prices, ChannelCache channels, ClientIpResolver ips, TimeProvider time)
{
    public async ValueTask<(RelayCaller? Caller, RelayError? Error)> AuthenticateAsync(HttpContext ctx, CancellationToken ct)
    {
        var presented = KeyExtractor.Extract(ctx.Request);
        if (presented.Key.Length == 0) return (null, Unauthorized());
        var token = await cache.FindTokenAsync(presented.Key, ct);
        if (token is null) return (null, Unauthorized());
        if (await CheckTokenStateAsync(token, ct) is { } stateError) return (null, stateError);
        if (token.AllowedNetworks is not null && (ips.Resolve(ctx) is not { } ip || !token.AllowsIp(ip)))
            return (null, RelayError.Local(403, "您的 IP 不在令牌允许访问的列表中", ErrorCodes.AccessDenied));
        var user = await cache.FindUserAsync(token.Row.UserId, ct);
        if (user is null) return (null, Unauthorized());
        if (user.Status != UserStatus.Enabled) return (null, RelayError.Local(403, "User has been banned"));
        var group = user.Group;
        if (token.Row.Group.Length > 0)
        {
            group = token.Row.Group;
            if (group != "auto" && !groups.IsUsable(user.Group, group)) return (null, RelayError.Local(403, $"无权访问 {group} 分组"));
            if (group != "auto" && !prices.Current.GroupExists(group)) return (null, RelayError.Local(403, $"分组 {group} 已被弃用"));
        }
        var (pinned, pinError) = ResolvePin(presented.ChannelPart, user, ctx);
        return pinError is not null ? (null, pinError) : (new RelayCaller(token, user, group, pinned), null);
    }

    private async ValueTask<RelayError?> CheckTokenStateAsync(TokenEntry token, CancellationToken ct)
    {
        if (!token.Enabled) return Unauthorized();
        if (token.IsExpired(time.UnixSeconds()))
        {
            await tokens.MarkStatusAsync(token.Id, TokenStatus.Expired, ct);
            return Unauthorized();
        }
        if (!token.Row.UnlimitedQuota && (book.TryGetTokenRemain(token.Id, out var remain) ? remain : token.Row.RemainQuota) <= 0)
        {
            await tokens.MarkStatusAsync(token.Id, TokenStatus.Exhausted, ct);
            return Unauthorized();
        }
        return null;
    }

    /// <summary>sk-KEY-&lt;channelId&gt;: admins route straight to that channel; examined only once the key is valid. Any
    /// '-' part counts, an empty one included (New API: "KEY-" is a pin attempt too, refused for a common user).</summary>
    private (ChannelRow?, RelayError?) ResolvePin(string? part, UserEntry user, HttpContext ctx)
    {
        if (part is null) return (null, null);
        if (user.Role < Role.Admin)
        {
            ctx.Response.Headers["specific_channel_version"] = BuildInfo.Version;
            return (null, RelayError.Local(403, "普通用户不支持指定渠道"));
        }
        if (!long.TryParse(part, out var id) || !channels.Current.ById.TryGetValue(id, out var channel))
            return (null, RelayError.Local(400, "Invalid channel ID"));
        return channel.Status != ChannelStatus.Enabled ? (null, RelayError.Local(403, "This channel has been disabled")) : (channel, null);
    }

    private static RelayError Unauthorized() => RelayError.Local(401, "Invalid token");
}
