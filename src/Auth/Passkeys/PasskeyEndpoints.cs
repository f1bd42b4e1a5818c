using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth.Endpoints;
using NewApi.Auth.Verification;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;
using NewApi.Storage.Passkeys;
using NewApi.Storage.TwoFactor;
using NewApi.Storage.Users;

namespace NewApi.Auth.Passkeys;

/// <summary>/api/user/passkey/* (self and sign-in) and DELETE /api/user/{id}/reset_passkey (admin).</summary>
public static class PasskeyEndpoints
{
    public static RouteGroupBuilder MapPasskeys(this RouteGroupBuilder api)
    {
        api.MapPost("/user/passkey/login/begin", LoginBegin).RateLimited(RateLimitKind.Critical);
        api.MapPost("/user/passkey/login/finish", LoginFinishAsync).RateLimited(RateLimitKind.Critical);
        var self = api.MapGroup("/user/passkey").RequireRole(Role.User);
        self.MapGet("/", StatusAsync);
        self.MapDelete("/", DeleteAsync);
        self.MapPost("/register/begin", RegisterBeginAsync);
        self.MapPost("/register/finish", RegisterFinishAsync);
        self.MapPost("/verify/begin", VerifyBeginAsync);
        self.MapPost("/verify/finish", VerifyFinishAsync);
        api.MapDelete("/user/{id:long}/reset_passkey", AdminResetAsync).RequireRole(Role.Admin);
        return api;
    }

    private static IResult Fail(string message, int status = 200) => Results.Json(Api.Fail(message), AdminJson.Default.Reply, statusCode: status);
    private static IResult Options(JsonObject options) => Results.Json(Api.Ok(new PasskeyOptionsView(options)), SecurityJson.Default.EnvelopePasskeyOptionsView);

    /// <summary>Resolves the relying party or answers New API's "disabled"/configuration error.</summary>
    private static bool TryRp(HttpContext ctx, OptionsStore options, out PasskeyRp rp, out IResult error)
    {
        rp = null!;
        error = null!;
        if (!options.Current.GetBool("passkey.enabled"))
        {
            error = Fail(PasskeyRp.Disabled);
            return false;
        }
        var resolved = PasskeyRp.Resolve(options.Current, ctx.Request, out var message);
        if (resolved is null)
        {
            error = Fail(message);
            return false;
        }
        rp = resolved;
        return true;
    }

    private static async Task<IResult> StatusAsync(HttpContext ctx, PasskeyRepository repo, CancellationToken ct)
    {
        var row = await repo.FindByUserAsync(ctx.CurrentUser().Id, ct);
        return Results.Json(Api.Ok(new PasskeyStatusView(row is not null, row?.LastUsedAt)), SecurityJson.Default.EnvelopePasskeyStatusView);
    }

    /// <summary>
    /// Registering or removing a passkey changes how the account is protected, so a user who already has a second factor
    /// must have passed /api/verify in this session first (New API's current rule); a user without one has nothing to prove.
    /// </summary>
    private static async Task<IResult?> RequireVerificationAsync(HttpContext ctx, SessionService sessions, TwoFactorRepository twoFa,
        PasskeyRepository repo, long now, CancellationToken ct)
    {
        var id = ctx.CurrentUser().Id;
        if (!await twoFa.IsEnabledAsync(id, ct) && await repo.FindByUserAsync(id, ct) is null) return null;
        var state = SecureVerification.Check(sessions.Read(ctx), now);
        return state == SecureVerification.State.Verified ? null
            : Results.Json(SecureVerification.Denied(state), SecurityJson.Default.VerificationRequiredReply, statusCode: StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> RegisterBeginAsync(HttpContext ctx, OptionsStore options, SessionService sessions, UserRepository users,
        TwoFactorRepository twoFa, PasskeyRepository repo, PasskeyService service, CancellationToken ct)
    {
        if (!TryRp(ctx, options, out var rp, out var error)) return error;
        if (await RequireVerificationAsync(ctx, sessions, twoFa, repo, service.Now, ct) is { } denied) return denied;
        var user = await users.FindAsync(ctx.CurrentUser().Id, ct);
        if (user is null) return Fail("用户不存在");
        var session = sessions.Read(ctx);
        var opts = await service.BeginRegistrationAsync(session, user, rp, ct);
        sessions.Write(ctx, session);
        return Options(opts);
    }

    private static async Task<IResult> RegisterFinishAsync(HttpContext ctx, OptionsStore options, SessionService sessions, PasskeyService service,
        SecurityLog log, CancellationToken ct)
    {
        if (!TryRp(ctx, options, out var rp, out var error)) return error;
        var me = ctx.CurrentUser();
        var body = await JsonBody.ReadElementAsync(ctx.Request, ct);
        var session = sessions.Read(ctx);
        var message = await service.FinishRegistrationAsync(session, me.Id, body ?? default, rp, ct);
        sessions.Write(ctx, session);
        if (message is not null) return Fail(message);
        await log.WriteAsync(ctx, me.Id, me.Username, "注册 Passkey", ct);
        return Results.Json(Api.Message("Passkey 注册成功"), AdminJson.Default.Reply);
    }

    private static async Task<IResult> DeleteAsync(HttpContext ctx, SessionService sessions, TwoFactorRepository twoFa, PasskeyRepository repo,
        PasskeyService service, SecurityLog log, CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        if (await repo.FindByUserAsync(me.Id, ct) is null) return Fail(PasskeyService.NotBound);
        if (await RequireVerificationAsync(ctx, sessions, twoFa, repo, service.Now, ct) is { } denied) return denied;
        await repo.DeleteByUserAsync(me.Id, ct);
        await log.WriteAsync(ctx, me.Id, me.Username, "解绑 Passkey", ct);
        return Results.Json(Api.Message("Passkey 已解绑"), AdminJson.Default.Reply);
    }

    private static async Task<IResult> VerifyBeginAsync(HttpContext ctx, OptionsStore options, SessionService sessions, PasskeyRepository repo,
        PasskeyService service, CancellationToken ct)
    {
        if (!TryRp(ctx, options, out var rp, out var error)) return error;
        var me = ctx.CurrentUser();
        var row = await repo.FindByUserAsync(me.Id, ct);
        if (row is null) return Fail(PasskeyService.NotBound);
        var session = sessions.Read(ctx);
        var opts = service.BeginAssertion(session, PasskeyCeremony.Verify, me.Id, rp, row);
        sessions.Write(ctx, session);
        return Options(opts);
    }

    private static async Task<IResult> VerifyFinishAsync(HttpContext ctx, OptionsStore options, SessionService sessions, PasskeyService service,
        CancellationToken ct)
    {
        if (!TryRp(ctx, options, out var rp, out var error)) return error;
        var me = ctx.CurrentUser();
        var body = await JsonBody.ReadElementAsync(ctx.Request, ct);
        var session = sessions.Read(ctx);
        var (row, message) = await service.FinishAssertionAsync(session, PasskeyCeremony.Verify, me.Id, body ?? default, rp, ct);
        if (row is not null)
        {
            // /api/verify turns this into the sensitive-action mark (within 60 s, once).
            session.Extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
            session.Extra[SecureVerification.PasskeyReadyKey] = service.Now.ToString(CultureInfo.InvariantCulture);
            session.SecureVerifiedAt = 0;
        }
        sessions.Write(ctx, session);
        return row is null ? Fail(message) : Results.Json(Api.Message("Passkey 验证成功"), AdminJson.Default.Reply);
    }

    private static IResult LoginBegin(HttpContext ctx, OptionsStore options, SessionService sessions, PasskeyService service)
    {
        if (!TryRp(ctx, options, out var rp, out var error)) return error;
        var session = sessions.Read(ctx);
        var opts = service.BeginAssertion(session, PasskeyCeremony.Login, 0, rp, null);
        sessions.Write(ctx, session);
        return Options(opts);
    }

    private static async Task<IResult> LoginFinishAsync(HttpContext ctx, OptionsStore options, SessionService sessions, PasskeyService service,
        UserRepository users, LoginRecorder recorder, CancellationToken ct)
    {
        if (!TryRp(ctx, options, out var rp, out var error)) return error;
        var body = await JsonBody.ReadElementAsync(ctx.Request, ct);
        var session = sessions.Read(ctx);
        var (row, message) = await service.FinishAssertionAsync(session, PasskeyCeremony.Login, 0, body ?? default, rp, ct);
        sessions.Write(ctx, session);
        if (row is null) return Fail(message);
        var user = await users.FindAsync(row.UserId, ct);
        if (user is null || user.Status != UserStatus.Enabled) return Fail("该用户已被禁用");
        return Results.Json(Api.Ok(await recorder.CompleteLoginAsync(ctx, user, "passkey", ct)), AdminJson.Default.EnvelopeLoginView);
    }

    private static async Task<IResult> AdminResetAsync(long id, HttpContext ctx, UserRepository users, PasskeyRepository repo, SecurityLog log,
        CancellationToken ct)
    {
        var target = await users.FindAsync(id, ct);
        if (target is null) return Fail("用户不存在");
        var me = ctx.CurrentUser();
        // NewApi: New API let any admin reset anyone's passkey (root's included); the target-role rule applies here.
        if (!me.CanManage(target.Role)) return Fail("无权操作同级或更高级用户");
        if (!await repo.DeleteByUserAsync(id, ct)) return Fail(PasskeyService.NotBound);
        await log.WriteAsync(ctx, target.Id, target.Username, $"管理员 {me.Username} 重置了 Passkey", ct);
        return Results.Json(Api.Message("Passkey 已重置"), AdminJson.Default.Reply);
    }
}
