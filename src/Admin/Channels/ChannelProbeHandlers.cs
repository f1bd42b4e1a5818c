using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Relay.Probe;
using NewApi.Storage.Channels;
using static NewApi.Admin.Channels.ChannelEndpoints;

namespace NewApi.Admin.Channels;

/// <summary>Routes that call the upstream: test, test all, balance, model lists.</summary>
internal static class ChannelProbeHandlers
{
    public static async Task<IResult> TestAsync(long id, HttpContext ctx, ChannelRepository repo, ChannelTester tester, CancellationToken ct)
    {
        if (await repo.FindAsync(id, ct) is not { } channel) return TestReply(new ChannelTestReply(false, "渠道不存在", 0, null));
        var q = ctx.Request.Query;
        var run = await tester.TestAsync(channel, Caller(ctx), q["model"], q["endpoint_type"], ChannelQuery.ParseBool(q["stream"]), ct);
        var seconds = run.ElapsedMs / 1000.0;
        return TestReply(run.Outcome.Ok
            ? new ChannelTestReply(true, "", seconds, null)
            : new ChannelTestReply(false, run.Outcome.Message, seconds, run.Outcome.ErrorCode));
    }

    /// <summary>Starts the background test of every channel; 409 with the running task while one is in progress.</summary>
    public static IResult TestAll(HttpContext ctx, ChannelTestRunner runner)
    {
        var (started, task) = runner.TryStart(Caller(ctx));
        return started
            ? Results.Json(Api.Ok(task), ChannelJson.Default.EnvelopeChannelTestTaskView)
            : Results.Json(new Envelope<ChannelTestTaskView>(false, "已有渠道测试任务正在运行，请稍后再试", task), ChannelJson.Default.EnvelopeChannelTestTaskView,
                statusCode: StatusCodes.Status409Conflict);
    }

    public static async Task<IResult> UpdateBalanceAsync(long id, ChannelBalanceService balances, CancellationToken ct)
    {
        var result = await balances.UpdateAsync(id, ct);
        var reply = result.Balance is { } b ? new ChannelBalanceReply(true, "", b) : new ChannelBalanceReply(false, result.Error ?? "", null);
        return Results.Json(reply, ChannelJson.Default.ChannelBalanceReply);
    }

    public static async Task<IResult> UpdateAllBalancesAsync(ChannelBalanceService balances, CancellationToken ct)
    {
        await balances.UpdateAllAsync(ct);
        return Ok();
    }

    public static async Task<IResult> FetchModelsAsync(long id, ChannelRepository repo, ChannelProbe probe, SecretBox box, CancellationToken ct)
    {
        if (await repo.FindAsync(id, ct) is not { } channel) return Fail("渠道不存在");
        var target = new ProbeTarget(channel.Type, ChannelProfiles.BaseUrl(channel.Type, channel.BaseUrl), ChannelKeys.First(box.Decrypt(channel.KeyEnc)))
        {
            Organization = channel.OpenAiOrganization, HeaderOverride = channel.HeaderOverride, Other = channel.Other,
        };
        var result = await probe.ListModelsAsync(target, guarded: false, ct);
        return result.Models is { } models
            ? Results.Json(Api.Ok(models), ChannelJson.Default.EnvelopeListString)
            : Fail("获取模型列表失败: " + result.Error);
    }

    /// <summary>
    /// POST /api/channel/fetch_models takes the URL from the request body, so it goes through the SSRF-guarded client
    /// unless it is the base URL of a channel an admin already saved (then it is as trusted as that channel).
    /// </summary>
    public static async Task<IResult> FetchModelsByUrlAsync(HttpContext ctx, ChannelRepository repo, ChannelProbe probe, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, ChannelJson.Default.FetchModelsRequest, ct);
        if (body is null || !Enum.IsDefined((ChannelType)body.Type)) return Fail("无效的参数", StatusCodes.Status400BadRequest);
        var type = (ChannelType)body.Type;
        var baseUrl = ChannelProfiles.BaseUrl(type, body.BaseUrl);
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return Fail("Base URL 必须是 http(s) 地址", StatusCodes.Status400BadRequest);
        var key = (body.Key ?? "").Trim().Split('\n')[0].Trim();
        var saved = (await repo.ListAllAsync(ct)).Any(c => c.BaseUrl.Length > 0 && c.BaseUrl.Trim().TrimEnd('/') == baseUrl);
        var result = await probe.ListModelsAsync(new ProbeTarget(type, baseUrl, key), guarded: !saved, ct);
        return result.Models is { } models
            ? Results.Json(Api.Ok(models), ChannelJson.Default.EnvelopeListString)
            : Fail("获取模型列表失败: " + result.Error, StatusCodes.Status500InternalServerError);
    }

    private static TestCaller Caller(HttpContext ctx)
    {
        var user = ctx.CurrentUser();
        return new TestCaller(user.Id, user.Username, user.Group);
    }

    private static IResult TestReply(ChannelTestReply reply) => Results.Json(reply, ChannelJson.Default.ChannelTestReply);
}
