using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Admin.Users;

/// <summary>Self-service beside /api/user/self: usable groups and models, the invite code and invite reward transfer.</summary>
public static class SelfServiceEndpoints
{
    public static RouteGroupBuilder MapSelfService(this RouteGroupBuilder api)
    {
        // New API serves the group list to anonymous visitors (the usable set of an unknown user).
        api.MapGet("/user/groups", AnonymousGroups);
        var user = api.MapGroup("/user").RequireRole(Role.User);
        user.MapGet("/self/groups", SelfGroupsAsync);
        user.MapGet("/models", ModelsAsync);
        user.MapGet("/aff", AffCodeAsync);
        user.MapPost("/aff_transfer", TransferAffAsync);
        user.MapPut("/setting", UserSettingUpdate.UpdateAsync);
        user.MapPost("/topup", RedeemAsync).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static Envelope<JsonObject> AnonymousGroups(UserGroups groups) => Api.Ok(GroupTable(groups, ""));

    private static async Task<IResult> SelfGroupsAsync(HttpContext ctx, UserRepository users, UserGroups groups, CancellationToken ct)
    {
        var me = await users.FindAsync(ctx.CurrentUser().Id, ct);
        return Results.Json(Api.Ok(GroupTable(groups, me?.Group ?? "")), AdminJson.Default.EnvelopeJsonObject);
    }

    /// <summary>Group → {ratio, desc} for every priced group the user may use, plus "auto" when usable.</summary>
    public static JsonObject GroupTable(UserGroups groups, string userGroup)
    {
        var usable = groups.Usable(userGroup);
        var table = new JsonObject();
        foreach (var name in groups.Names)
            if (usable.TryGetValue(name, out var desc))
                table[name] = new JsonObject { ["ratio"] = JsonValue.Create(groups.Ratio(userGroup, name)), ["desc"] = JsonValue.Create(desc) };
        if (usable.ContainsKey(UserGroups.Auto))
            table[UserGroups.Auto] = new JsonObject { ["ratio"] = JsonValue.Create("自动"), ["desc"] = JsonValue.Create(groups.Description(UserGroups.Auto)) };
        return table;
    }

    /// <summary>Models enabled in the user's usable groups; ?group= narrows to one usable group ("auto" = its candidates).</summary>
    private static async Task<Envelope<List<string>>> ModelsAsync(HttpContext ctx, UserRepository users, UserGroups groups, ChannelCache channels,
        CancellationToken ct)
    {
        var userGroup = (await users.FindAsync(ctx.CurrentUser().Id, ct))?.Group ?? "";
        var usable = groups.Usable(userGroup);
        var requested = ctx.Request.Query["group"].ToString().Trim();
        IEnumerable<string> scope = requested.Length == 0 ? usable.Keys
            : !usable.ContainsKey(requested) ? []
            : requested == UserGroups.Auto ? groups.AutoGroupsFor(userGroup)
            : [requested];
        var byGroup = channels.Current.ModelsByGroup;
        var models = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var g in scope)
            if (byGroup.TryGetValue(g, out var list)) models.UnionWith(list);
        return Api.Ok(models.ToList());
    }

    private static async Task<IResult> AffCodeAsync(HttpContext ctx, UserRepository users, CancellationToken ct)
    {
        var me = await users.FindAsync(ctx.CurrentUser().Id, ct);
        if (me is null) return Results.Json(Api.Fail("用户不存在"), AdminJson.Default.Reply);
        if (me.AffCode.Length > 0) return Results.Json(Api.Ok(me.AffCode), AdminJson.Default.EnvelopeString);
        for (var length = 4; ; length++)
        {
            var code = RandomStrings.Alnum(length);
            if (await users.TrySetAffCodeAsync(me.Id, code, ct))
                return Results.Json(Api.Ok((await users.FindAsync(me.Id, ct))?.AffCode ?? code), AdminJson.Default.EnvelopeString);
        }
    }

    private static async Task<Reply> TransferAffAsync(HttpContext ctx, UserRepository users, OptionsStore options, CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("payment_setting.compliance_confirmed")) return Api.Fail("请先在支付设置中确认支付合规声明");
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.AffTransferRequest, ct);
        if (body?.Quota is not { } quota) return Api.Fail("无效的参数");
        if (quota < o.QuotaPerUnit) return Api.Fail("转移额度最小为" + QuotaText.Format((long)o.QuotaPerUnit, o) + "！");
        return await users.TransferAffQuotaAsync(ctx.CurrentUser().Id, quota, ct) ? Api.Message("划转成功") : Api.Fail("邀请额度不足！");
    }

    /// <summary>
    /// Redeem code top-up. Every failure gives one generic message (New API); the single writer serialises redeems,
    /// so New API's per-user lock and random delay are not needed for correctness.
    /// </summary>
    private static async Task<IResult> RedeemAsync(HttpContext ctx, UserRepository users, OptionsStore options, SecretBox box,
        ClientIpResolver ips, TimeProvider time, CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("payment_setting.compliance_confirmed"))
            return Results.Json(Api.Fail("请先在支付设置中确认支付合规声明"), AdminJson.Default.Reply);
        var body = await JsonBody.ReadElementAsync(ctx.Request, ct);
        var key = body is { ValueKind: System.Text.Json.JsonValueKind.Object } b && b.TryGetProperty("key"u8, out var k)
                  && k.ValueKind == System.Text.Json.JsonValueKind.String ? k.GetString()!.Trim() : "";
        var me = ctx.CurrentUser();
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var done = key.Length is > 0 and <= 64
            ? await users.RedeemAsync(me.Id, key, box.LookupHash(key), now, r => new Storage.Logs.LogRow
            {
                UserId = me.Id, Username = me.Username, CreatedAt = now, Type = LogType.Topup, Ip = ips.ResolveString(ctx),
                Content = $"通过兑换码充值 {QuotaText.Format(r.Quota, o)}，兑换码ID {r.RedemptionId}",
            }, ct)
            : null;
        return done is null
            ? Results.Json(Api.Fail("兑换失败，请稍后重试"), AdminJson.Default.Reply)
            : Results.Json(Api.Ok(done.Quota), AdminJson.Default.EnvelopeInt64);
    }
}
