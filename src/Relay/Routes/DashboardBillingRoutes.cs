using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Config;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Storage.Options;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;

namespace NewApi.Relay.Routes;

/// <summary>
/// OpenAI's legacy balance routes (management.md §9.1, relay.md §1.2), with a key: <c>/dashboard/billing/subscription</c>
/// and <c>/dashboard/billing/usage</c>, also under <c>/v1</c>. Amounts are the token's (DisplayTokenStatEnabled, the
/// default) or the owner's, in the display currency: quota / QuotaPerUnit for USD (and CUSTOM, as New API does), × the
/// exchange rate for CNY, raw quota for TOKENS. An unlimited token reports 100 000 000. They share the global API
/// rate limit of /api.
/// </summary>
public static class DashboardBillingRoutes
{
    private const double UnlimitedAmount = 100_000_000;

    public static void MapDashboardBillingRoutes(this WebApplication app)
    {
        var billing = app.Services.GetRequiredService<DashboardBilling>();
        foreach (var prefix in (string[])["/dashboard/billing", "/v1/dashboard/billing"])
        {
            app.MapGet(prefix + "/subscription", ctx => billing.AnswerAsync(ctx, subscription: true));
            app.MapGet(prefix + "/usage", ctx => billing.AnswerAsync(ctx, subscription: false));
        }
    }

    /// <summary>The amount in the site's display unit.</summary>
    public static double Display(long quota, OptionsSnapshot o) => o.Get("general_setting.quota_display_type", "USD") switch
    {
        "TOKENS" => quota,
        "CNY" => quota / o.QuotaPerUnit * o.GetDouble("USDExchangeRate", 7.3),
        _ => quota / o.QuotaPerUnit,
    };

    internal static void Subscription(Utf8JsonWriter w, double amount, long accessUntil)
    {
        w.WriteStartObject();
        w.WriteString("object", "billing_subscription");
        w.WriteBoolean("has_payment_method", true);
        w.WriteNumber("soft_limit_usd", amount);
        w.WriteNumber("hard_limit_usd", amount);
        w.WriteNumber("system_hard_limit_usd", amount);
        w.WriteNumber("access_until", accessUntil);
        w.WriteEndObject();
    }

    internal static void Usage(Utf8JsonWriter w, double amount)
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteNumber("total_usage", amount * 100);
        w.WriteEndObject();
    }

    internal static double Unlimited => UnlimitedAmount;
}

public sealed class DashboardBilling(RelayAuthenticator auth, TokenRepository tokens, UserRepository users, OptionsStore options, RateLimiter limiter,
    ClientIpResolver ips, RateLimitSection limits)
{
    public async Task AnswerAsync(HttpContext ctx, bool subscription)
    {
        var ct = ctx.RequestAborted;
        if (limits.GlobalApiEnabled && !limiter.TryAcquire("GA:" + ips.ResolveString(ctx), limits.GlobalApi, limits.GlobalApiDuration))
        {
            // new-api: the global limiter answers an empty 429; here, OpenAI's error object, as for every other refusal
            await RelayErrorWriter.WriteAsync(ctx, ApiSurface.OpenAi, StatusCodes.Status429TooManyRequests, RateLimitFilter.TooManyRequestsMessage,
                "rate_limit_error");
            return;
        }
        var (caller, error) = await auth.AuthenticateAsync(ctx, ct);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, error!, ct);
            return;
        }
        var o = options.Current;
        long remain, used, accessUntil = 0;
        var unlimited = false;
        if (o.GetBool("DisplayTokenStatEnabled"))
        {
            var token = await tokens.FindAnyAsync(caller.Token.Id, ct);
            (remain, used, unlimited) = (token?.RemainQuota ?? 0, token?.UsedQuota ?? 0, token?.UnlimitedQuota ?? false);
            accessUntil = Math.Max(0, token?.ExpiredTime ?? 0);
        }
        else
        {
            var user = await users.FindAsync(caller.User.Id, ct);
            (remain, used) = (user?.Quota ?? 0, user?.UsedQuota ?? 0);
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (subscription)
                DashboardBillingRoutes.Subscription(w, unlimited ? DashboardBillingRoutes.Unlimited : DashboardBillingRoutes.Display(remain + used, o), accessUntil);
            else DashboardBillingRoutes.Usage(w, DashboardBillingRoutes.Display(used, o));
        }
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
    }
}
