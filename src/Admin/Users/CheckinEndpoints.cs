using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Auth.Registration;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Checkins;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Admin.Users;

/// <summary>GET/POST /api/user/checkin: one random award in [min_quota, max_quota] per calendar day (checkin_setting.*).</summary>
public static class CheckinEndpoints
{
    public const string Disabled = "签到功能未启用";

    public static RouteGroupBuilder MapCheckin(this RouteGroupBuilder api)
    {
        var user = api.MapGroup("/user").RequireRole(Role.User);
        user.MapGet("/checkin", StatusAsync);
        user.MapPost("/checkin", CheckinAsync).RequireTurnstile();
        return api;
    }

    private static async Task<IResult> StatusAsync(HttpContext ctx, OptionsStore options, CheckinRepository checkins, CheckinCalendar calendar,
        CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("checkin_setting.enabled")) return Fail(Disabled);
        var month = ctx.Request.Query["month"].ToString();
        if (month.Length == 0) month = calendar.Today()[..7];
        if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return Fail("无效的月份格式");
        var s = await checkins.StatsAsync(ctx.CurrentUser().Id, month, calendar.Today(), ct);
        var (min, max) = Range(o);
        var stats = new CheckinStatsView(s.TotalQuota, s.TotalCheckins, s.CheckinCount, s.CheckedInToday,
            s.Records.Select(r => new CheckinRecordView(r.CheckinDate, r.QuotaAwarded)).ToList());
        return Results.Json(Api.Ok(new CheckinStatusView(true, min, max, stats)), AccountJson.Default.EnvelopeCheckinStatusView);
    }

    private static async Task<IResult> CheckinAsync(HttpContext ctx, OptionsStore options, CheckinRepository checkins, CheckinCalendar calendar,
        TimeProvider time, CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("checkin_setting.enabled")) return Fail(Disabled);
        var (min, max) = Range(o);
        var quota = min == max ? min : min + RandomNumberGenerator.GetInt32(0, (int)Math.Min(int.MaxValue - 1, max - min) + 1);
        var me = ctx.CurrentUser();
        var today = calendar.Today();
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var log = new LogRow
        {
            UserId = me.Id, Username = me.Username, CreatedAt = now, Type = LogType.System, Content = "用户签到，获得额度 " + QuotaText.Format(quota, o),
        };
        if (!await checkins.TryCheckinAsync(me.Id, today, quota, now, log, ct)) return Fail("今日已签到");
        return Results.Json(Api.Ok(new CheckinResultView(quota, today), "签到成功"), AccountJson.Default.EnvelopeCheckinResultView);
    }

    private static (long Min, long Max) Range(OptionsSnapshot o)
    {
        var min = Math.Max(0, o.GetLong("checkin_setting.min_quota", 1000));
        var max = Math.Max(0, o.GetLong("checkin_setting.max_quota", 10000));
        return min <= max ? (min, max) : (max, min);
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
