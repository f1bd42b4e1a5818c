using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;
using static NewApi.Admin.Channels.ChannelEndpoints;

namespace NewApi.Admin.Channels;

/// <summary>The two routes that touch plaintext keys: the Root-only reveal and multi-key management.</summary>
internal static class ChannelKeyHandlers
{
    public static async Task<IResult> RevealAsync(long id, HttpContext ctx, ChannelRepository repo, SecretBox box, KeyRevealVerifier verifier,
        LogRepository logs, TimeProvider time, ILogger<KeyRevealVerifier> log, CancellationToken ct)
    {
        var user = ctx.CurrentUser();
        var body = ctx.Request.ContentLength is 0 ? null : await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.ChannelKeyRequest, ct);
        switch (await verifier.VerifyAsync(ctx, user.Id, body, ct))
        {
            case RevealProof.Required:
                return Verification("需要安全验证：请先完成两步验证，或在请求中提供验证码（未启用两步验证时提供登录密码）", "VERIFICATION_REQUIRED");
            case RevealProof.Expired:
                return Verification("安全验证已过期，请重新验证", "VERIFICATION_EXPIRED");
            case RevealProof.Invalid:
                return Verification("验证码或密码错误，请重试", "VERIFICATION_INVALID");
        }
        if (await repo.FindAsync(id, ct) is not { } channel) return Fail("渠道不存在");
        log.KeyRevealed(id, user.Id);
        await logs.InsertAsync(new LogRow
        {
            UserId = user.Id, Username = user.Username, CreatedAt = time.UnixSeconds(), Type = LogType.Manage,
            Content = $"查看渠道密钥：#{id} {channel.Name}",
        }, ct);
        return Results.Json(Api.Ok(new ChannelKeyView(box.Decrypt(channel.KeyEnc)), "获取成功"), ChannelJson.Default.EnvelopeChannelKeyView);
    }

    public static async Task<IResult> ManageAsync(HttpContext ctx, MultiKeyManager manager, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.MultiKeyManageRequest, ct);
        if (body is null) return Fail("无效的参数");
        var result = await manager.RunAsync(body, ct);
        if (result.Status is { } status) return Results.Json(Api.Ok(status), ChannelJson.Default.EnvelopeMultiKeyStatusView);
        if (result.Count is { } n) return Count(n, result.Message);
        return ChannelEndpoints.Json(new Reply(result.Success, result.Message));
    }

    private static IResult Verification(string message, string code) =>
        Results.Json(new VerificationReply(false, message, code), ChannelJson.Default.VerificationReply, statusCode: StatusCodes.Status403Forbidden);
}
