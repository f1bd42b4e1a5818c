using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Billing.Prices;
using NewApi.Common;
using NewApi.Config;
using NewApi.Json;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;
using NewApi.Storage.Tokens;

namespace NewApi.Relay.Routes;

/// <summary>
/// POST /pg/chat/completions, the console's playground (relay.md §1.2): the management login instead of a key, a
/// synthetic token (id 0, named <c>playground-&lt;group&gt;</c>, unlimited, so no token quota moves) and the user's quota
/// charged. The body may pick a group the user may use; access tokens are refused as in New API.
/// </summary>
public static class PlaygroundRoutes
{
    public static void MapPlaygroundRoutes(this WebApplication app)
    {
        var playground = app.Services.GetRequiredService<Playground>();
        app.MapPost("/pg/chat/completions", playground.RunAsync);
    }
}

public sealed class Playground(UserAuthenticator users, RelayIdentityCache identities, GroupPolicy groups, PriceBook prices, RelayPipeline pipeline,
    RelaySection config, TimeProvider time)
{
    public async Task RunAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        var auth = await users.AuthenticateAsync(ctx, Role.User, ct);
        if (!auth.Ok)
        {
            await Results.Json(Api.Fail(auth.Message), AdminJson.Default.Reply, statusCode: auth.Status).ExecuteAsync(ctx);
            return;
        }
        if (auth.User!.ViaAccessToken)
        {
            await RelayErrorResponder.WriteAsync(ctx, RelayError.Local(403, "暂不支持使用 access token", ErrorCodes.AccessDenied), ct);
            return;
        }
        var user = await identities.FindUserAsync(auth.User.Id, ct);
        var (body, bodyError) = await RequestBody.ReadAsync(ctx.Request, (long)config.MaxRequestBodyMb * 1024 * 1024, ct);
        if (user is null || body is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, bodyError ?? RelayError.Local(401, "Invalid user"), ct);
            return;
        }
        using (body)
        {
            var (group, rewritten, groupError) = Group(body.Span, user);
            if (groupError is not null)
            {
                await RelayErrorResponder.WriteAsync(ctx, groupError, ct);
                return;
            }
            using var sent = rewritten is null ? null : RequestBody.Copy(rewritten);
            await RunAsync(ctx, new RelayCaller(SyntheticToken(user.Id, group), user, group, null), sent ?? body, ct);
        }
    }

    private async Task RunAsync(HttpContext ctx, RelayCaller caller, RequestBody body, CancellationToken ct)
    {
        var (request, parseError) = RelayRequest.Parse(RouteKind.ChatCompletions, body.Memory);
        if (request is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, parseError!, ct);
            return;
        }
        using (request)
        {
            var rc = new RelayContext
            {
                Http = ctx, Kind = RouteKind.ChatCompletions, Caller = caller, Request = request, Body = body, Group = caller.Group,
                StartTimestamp = time.GetTimestamp(), StartUnix = time.GetUtcNow().ToUnixTimeSeconds(),
            };
            await pipeline.RunLimitedAsync(rc, ct);
        }
    }

    /// <summary>
    /// The group of the body (the user's own when absent) and the body without it: "group" is the playground's own
    /// field, and an OpenAI upstream refuses unknown parameters.
    /// </summary>
    private (string Group, byte[]? Rewritten, RelayError? Error) Group(ReadOnlySpan<byte> body, UserEntry user)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return (user.Group, null, null);   // the parser answers the 400
        }
        if (json?["group"] is not { } node) return (user.Group, null, null);
        var group = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>().Trim() : "";
        if (node.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Null)) return ("", null, RelayError.BadRequest("group must be a string"));
        if (group.Length == 0) group = user.Group;
        else if (!groups.IsUsable(user.Group, group)) return ("", null, RelayError.Local(403, "无权访问该分组", ErrorCodes.AccessDenied));
        else if (group != user.Group && !prices.Current.GroupExists(group)) return ("", null, RelayError.Local(403, $"分组 {group} 已被弃用", ErrorCodes.AccessDenied));
        json.Remove("group");
        var buffer = new ArrayBufferWriter<byte>(body.Length);
        using (var w = new Utf8JsonWriter(buffer)) json.WriteTo(w);
        return (group, buffer.WrittenSpan.ToArray(), null);
    }

    private static TokenEntry SyntheticToken(long userId, string group) => new(new TokenRow
    {
        Id = 0, UserId = userId, Name = "playground-" + group, Group = group, UnlimitedQuota = true, ExpiredTime = -1, Status = TokenStatus.Enabled,
    });
}
