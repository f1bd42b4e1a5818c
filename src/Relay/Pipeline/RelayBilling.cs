using System.Globalization;
using NewApi.Auth;
using NewApi.Billing;
using NewApi.Billing.Ledger;
using NewApi.Billing.Limits;
using NewApi.Billing.Prices;
using NewApi.Billing.Tokens;
using NewApi.Relay.Errors;
using NewApi.Relay.Streaming;
using NewApi.Storage.Options;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// The relay's side of billing: price the request, pre-consume (§3.4, §3.5), and at the end turn what the upstream
/// reported — or, when it reported nothing, the prompt estimate plus the tokenizer count of what was really
/// delivered — into the quota, the consume log and the ledger settlement.
/// </summary>
public sealed class RelayBilling(QuotaLedger ledger, PriceBook prices, TokenCounter counter, OptionsStore options, TokenLimiter limiter,
    ClientIpResolver ips, TimeProvider time)
{
    private const int TokensPerToolCall = 7;

    /// <summary>Price lookup; a model with neither price nor ratio is refused unless self-use mode or the user accepts unset ratios.</summary>
    public RelayError? Price(RelayContext rc)
    {
        var tables = prices.Current;
        rc.Pricing = tables.Lookup(rc.Request.Model);
        rc.GroupPricing = tables.Group(rc.Caller.User.Group, rc.Group);
        if (rc.Pricing.Configured || rc.Caller.User.AcceptUnsetModelRatio) return null;
        var m = rc.Request.Model;
        return RelayError.Local(400, $"模型 {m} 倍率或价格未配置，请联系管理员设置或开始自用模式；Model {m} ratio or price not set, please set or start self-use mode",
            ErrorCodes.ModelPriceError);
    }

    public async Task<(Hold? Hold, RelayError? Error)> HoldAsync(RelayContext rc, CancellationToken ct)
    {
        var tables = prices.Current;
        var g = rc.GroupPricing.Ratio;
        var free = g == 0 || (rc.Pricing.UsePrice ? rc.Pricing.ModelPrice == 0 : rc.Pricing.ModelRatio == 0);
        var token = rc.Caller.Token;
        if (free && !tables.FreeModelPreConsume) return (new Hold(0, rc.Caller.User.Id, token.Id, !token.Row.UnlimitedQuota, 0), null);
        // A trusted caller reserves nothing: when even an upper bound of the prompt passes the balance checks, the
        // prompt is not tokenized here (only later, if the upstream reports no usage).
        if (rc.Request.Rule is null && !rc.PromptEstimated
            && ledger.TryTrust(new HoldRequest
            {
                RequestId = rc.RequestId, UserId = rc.Caller.User.Id, TokenId = token.Id, TokenUnlimited = token.Row.UnlimitedQuota,
                Amount = QuotaMath.PreConsume(rc.Pricing, g, PromptUpperBound(rc.Body.Span), rc.Request.MaxTokens, tables.PreConsumedQuota, tables.QuotaPerUnit),
            }) is { } trusted)
            return (trusted.Hold, null);
        var amount = rc.Request.Rule?.PreConsume(rc, tables)
                     ?? QuotaMath.PreConsume(rc.Pricing, g, rc.PromptEstimate, rc.Request.MaxTokens, tables.PreConsumedQuota, tables.QuotaPerUnit);
        var outcome = await ledger.HoldAsync(new HoldRequest
        {
            RequestId = rc.RequestId, UserId = rc.Caller.User.Id, TokenId = token.Id, TokenUnlimited = token.Row.UnlimitedQuota, Amount = amount,
        }, ct);
        if (outcome.Ok) return (outcome.Hold, null);
        var o = options.Current;
        return (null, outcome.Status switch
        {
            HoldStatus.UserExhausted => RelayError.Local(403, $"用户额度不足, 剩余额度: {QuotaFormat.Display(outcome.UserQuota, o)}",
                ErrorCodes.InsufficientUserQuota),
            HoldStatus.UserInsufficient => RelayError.Local(403,
                $"预扣费额度失败, 用户剩余额度: {QuotaFormat.Display(outcome.UserQuota, o)}, 需要预扣费额度: {QuotaFormat.Display(amount, o)}",
                ErrorCodes.InsufficientUserQuota),
            _ => RelayError.Local(403, $"token quota is not enough, need quota: {QuotaFormat.Display(amount, o)}",
                ErrorCodes.PreConsumeTokenQuotaFailed),
        });
    }

    /// <summary>
    /// More tokens than the estimator can count for this body: byte-level BPE never makes more tokens than UTF-8
    /// bytes (doubled for the heuristic counters of other models), plus per-message overheads, plus an image's worst case
    /// for every "image" in the body.
    /// </summary>
    internal static long PromptUpperBound(ReadOnlySpan<byte> body)
    {
        long images = 0;
        for (var rest = body; rest.IndexOf("image"u8) is var i and >= 0; rest = rest[(i + 5)..]) images++;
        return 2L * body.Length + 4_096 + images * 4_096;
    }

    /// <summary>Usage to bill: the upstream's (prompt filled from the estimate when it reported 0), else the estimate of what was delivered.</summary>
    public UsageCounts FinalUsage(RelayContext rc, AttemptOutcome outcome, out bool estimated)
    {
        if (outcome.UpstreamUsage is { } u)
        {
            estimated = u.PromptTokens == 0;
            return estimated ? u with { PromptTokens = rc.PromptEstimate } : u;
        }
        estimated = true;
        var completion = counter.Count(rc.Request.Model, outcome.DeliveredText) + TokensPerToolCall * outcome.ToolCalls;
        return new UsageCounts { PromptTokens = rc.PromptEstimate, CompletionTokens = completion };
    }

    public async Task SettleAsync(RelayContext rc, Hold hold, ServedBy served)
    {
        // Counting locally may load a tokenizer vocabulary first (~0.3 s): never on a socket thread (server.inline_io).
        if (served.Outcome.UpstreamUsage is not { PromptTokens: > 0 } && !Thread.CurrentThread.IsThreadPoolThread && counter.NeedsLoad(rc.Request.Model))
            await Task.Yield();
        var usage = FinalUsage(rc, served.Outcome, out var estimated);
        var tables = prices.Current;
        var rule = rc.Request.Rule;
        if (rule is not null) usage = rule.Adjust(rc, usage, ref estimated);
        var quota = rule?.FinalQuota(rc, usage, tables) ?? QuotaMath.Final(rc.Pricing, rc.GroupPricing.Ratio, usage, tables.QuotaPerUnit);
        var log = ConsumeLog.Build(rc, served with { UsageEstimated = estimated }, usage, quota, time.GetUtcNow().ToUnixTimeSeconds(),
            time.GetTimestamp(), time, ips.ResolveString(rc.Http));
        limiter.RecordTokens(rc.Caller.Token.Id, usage.Total);
        rule?.Settled(rc, served);
        await ledger.SettleAsync(new Settlement(hold, quota, served.Channel.Id, log));
    }

    public ValueTask ReleaseAsync(Hold hold) => ledger.ReleaseAsync(hold);

    /// <summary>The estimate a converted stream writes in its closing events when the upstream reported no usage.</summary>
    public NewApi.Relay.Convert.TokenUsage EstimateUsage(RelayContext rc, string deliveredText)
    {
        var completion = counter.Count(rc.Request.Model, deliveredText);
        return new NewApi.Relay.Convert.TokenUsage { Prompt = rc.PromptEstimate, Completion = completion, Total = rc.PromptEstimate + completion };
    }

    /// <summary>The usage chunk New API adds at the end of a stream whose upstream reported none.</summary>
    public string SyntheticUsageChunk(RelayContext rc, IUsageTap tap)
    {
        var usage = FinalUsage(rc, new AttemptOutcome { DeliveredText = tap.DeliveredText, ToolCalls = tap.ToolCalls }, out _);
        var (id, created, model) = tap.Header;
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $$"""{"id":"{{Escape(id.Length > 0 ? id : "chatcmpl-" + rc.RequestId)}}","object":"chat.completion.chunk","created":{{(created > 0 ? created : time.GetUtcNow().ToUnixTimeSeconds())}},"model":"{{Escape(model.Length > 0 ? model : rc.Request.Model)}}","choices":[],"usage":{"prompt_tokens":{{usage.PromptTokens}},"completion_tokens":{{usage.CompletionTokens}},"total_tokens":{{usage.Total}} } }""");
    }

    private static string Escape(string s) => System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(s);
}
