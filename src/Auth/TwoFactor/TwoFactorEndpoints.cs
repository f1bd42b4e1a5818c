using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth.Endpoints;
using NewApi.Auth.Verification;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;
using NewApi.Storage.TwoFactor;
using NewApi.Storage.Users;

namespace NewApi.Auth.TwoFactor;

/// <summary>/api/user/2fa/* (self), /api/user/login/2fa (second login step) and the admin 2FA routes.</summary>
public static class TwoFactorEndpoints
{
    public const string SessionExpired = "会话已过期，请重新登录";
    /// <summary>How long the password step's hand-off stays valid.</summary>
    public const long PendingSeconds = 300;

    public static RouteGroupBuilder MapTwoFactor(this RouteGroupBuilder api)
    {
        api.MapPost("/user/login/2fa", LoginAsync).RateLimited(RateLimitKind.Critical);
        var self = api.MapGroup("/user/2fa").RequireRole(Role.User);
        self.MapGet("/status", StatusAsync);
        self.MapPost("/setup", SetupAsync);
        self.MapPost("/enable", EnableAsync);
        self.MapPost("/disable", DisableAsync);
        self.MapPost("/backup_codes", BackupCodesAsync);
        api.MapGet("/user/2fa/stats", StatsAsync).RequireRole(Role.Admin);
        api.MapDelete("/user/{id:long}/2fa", AdminDisableAsync).RequireRole(Role.Admin);
        return api;
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);

    private static async Task<IResult> LoginAsync(HttpContext ctx, SessionService sessions, UserRepository users, TwoFactorService twoFa,
        LoginRecorder recorder, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CodeRequest, ct);
        if (body?.Code is not { Length: > 0 } code) return Fail("参数错误");
        var session = sessions.Read(ctx);
        if (session.PendingUserId <= 0 || recorder.Now() - session.PendingAt > PendingSeconds) return Fail(SessionExpired);
        var user = await users.FindAsync(session.PendingUserId, ct);
        if (user is null || user.Status != UserStatus.Enabled) return Fail(SessionExpired);
        var result = await twoFa.VerifyAsync(user.Id, code, allowBackup: true, ct);
        if (!result.Ok) return Fail(result.Message);
        return Results.Json(Api.Ok(await recorder.CompleteLoginAsync(ctx, user, "2fa", ct)), AdminJson.Default.EnvelopeLoginView);
    }

    private static async Task<IResult> StatusAsync(HttpContext ctx, TwoFactorRepository repo, TwoFactorService twoFa, CancellationToken ct)
    {
        var row = await repo.FindAsync(ctx.CurrentUser().Id, ct);
        long? remaining = row is { IsEnabled: true } ? await repo.CountUnusedBackupCodesAsync(row.UserId, ct) : null;
        var view = new TwoFaStatusView(row?.IsEnabled == true, row?.IsLocked(twoFa.Now) == true, remaining);
        return Results.Json(Api.Ok(view), SecurityJson.Default.EnvelopeTwoFaStatusView);
    }

    private static async Task<IResult> SetupAsync(HttpContext ctx, TwoFactorRepository repo, TwoFactorService twoFa, OptionsStore options,
        SecurityLog log, CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        if (await repo.IsEnabledAsync(me.Id, ct)) return Fail("用户已启用2FA，请先禁用后重新设置");
        var (secret, codes) = await twoFa.CreatePendingAsync(me.Id, ct);
        var issuer = options.Current.Get("SystemName", "New API");
        await log.WriteAsync(ctx, me.Id, me.Username, "开始设置两步验证", ct);
        var view = new TwoFaSetupView(secret, Totp.OtpAuthUri(issuer, me.Username, secret), codes);
        return Results.Json(Api.Ok(view, "2FA设置初始化成功，请使用认证器扫描二维码并输入验证码完成设置"), SecurityJson.Default.EnvelopeTwoFaSetupView);
    }

    private static async Task<IResult> EnableAsync(HttpContext ctx, TwoFactorRepository repo, TwoFactorService twoFa, SecurityLog log,
        CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CodeRequest, ct);
        if (body?.Code is not { Length: > 0 }) return Fail("参数错误");
        var row = await repo.FindAsync(me.Id, ct);
        if (row is null) return Fail("请先完成2FA初始化设置");
        if (row.IsEnabled) return Fail("2FA已经启用");
        var result = await twoFa.VerifyPendingAsync(row, body.Code, ct);
        if (!result.Ok) return Fail(result.Message);
        if (!await repo.EnableAsync(me.Id, twoFa.Now, ct)) return Fail("2FA已经启用");
        await log.WriteAsync(ctx, me.Id, me.Username, "成功启用两步验证", ct);
        return Results.Json(Api.Message("两步验证启用成功"), AdminJson.Default.Reply);
    }

    private static async Task<IResult> DisableAsync(HttpContext ctx, TwoFactorRepository repo, TwoFactorService twoFa, SecurityLog log,
        CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CodeRequest, ct);
        if (body?.Code is not { Length: > 0 }) return Fail("参数错误");
        var result = await twoFa.VerifyAsync(me.Id, body.Code, allowBackup: true, ct);
        if (!result.Ok) return Fail(result.Message);
        await repo.DeleteAsync(me.Id, ct);
        await log.WriteAsync(ctx, me.Id, me.Username, "禁用两步验证", ct);
        return Results.Json(Api.Message("两步验证已禁用"), AdminJson.Default.Reply);
    }

    private static async Task<IResult> BackupCodesAsync(HttpContext ctx, TwoFactorService twoFa, SecurityLog log, CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CodeRequest, ct);
        if (body?.Code is not { Length: > 0 }) return Fail("参数错误");
        // new-api: regeneration takes a TOTP code only, never a backup code.
        if (Totp.CleanCode(body.Code) is null) return Fail("验证码必须是6位数字");
        var result = await twoFa.VerifyAsync(me.Id, body.Code, allowBackup: false, ct);
        if (!result.Ok) return Fail(result.Message);
        var codes = await twoFa.RegenerateBackupCodesAsync(me.Id, ct);
        await log.WriteAsync(ctx, me.Id, me.Username, "重新生成两步验证备用码", ct);
        return Results.Json(Api.Ok(new BackupCodesView(codes), "备用码重新生成成功"), SecurityJson.Default.EnvelopeBackupCodesView);
    }

    private static async Task<IResult> StatsAsync(TwoFactorRepository repo, CancellationToken ct)
    {
        var (total, enabled) = await repo.StatsAsync(ct);
        var rate = total > 0 ? enabled * 100.0 / total : 0;
        var view = new TwoFaStatsView(total, enabled, rate.ToString("0.0", CultureInfo.InvariantCulture) + "%");
        return Results.Json(Api.Ok(view), SecurityJson.Default.EnvelopeTwoFaStatsView);
    }

    private static async Task<IResult> AdminDisableAsync(long id, HttpContext ctx, UserRepository users, TwoFactorRepository repo,
        SecurityLog log, CancellationToken ct)
    {
        var target = await users.FindAsync(id, ct);
        if (target is null) return Fail("用户不存在");
        var me = ctx.CurrentUser();
        if (!me.CanManage(target.Role))
            return Fail("无权操作同级或更高级用户的2FA设置");
        if (!await repo.DeleteAsync(id, ct)) return Fail(TwoFactorService.NotEnabled);
        await log.WriteAsync(ctx, target.Id, target.Username, $"管理员 {me.Username} 强制禁用了两步验证", ct);
        return Results.Json(Api.Message("用户2FA已被强制禁用"), AdminJson.Default.Reply);
    }
}
