using NewApi.Billing.Limits;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// The request-count limits in front of billing: New API's per-user model request rate limit (§2.2) and NewApi's
/// per-token RPM / TPM / concurrency. NewApi: a refusal is a 429 with an OpenAI error body (New API's in-memory
/// limiter answered an empty 429).
/// </summary>
public sealed class RelayLimits(ModelRequestLimiter models, TokenLimiter tokens)
{
    public readonly record struct Lease(bool ConcurrencyHeld);

    public (Lease Lease, RelayError? Error) Enter(RelayContext rc)
    {
        var user = rc.Caller.User;
        var decision = models.TryEnter(user.Id, rc.Group);
        if (decision.Verdict == ModelRequestLimiter.Verdict.TotalExceeded)
            return (default, TooMany($"您已达到总请求数限制：{decision.Minutes}分钟内最多请求{decision.Limit}次，包括失败次数，请检查您的请求是否正确"));
        if (decision.Verdict == ModelRequestLimiter.Verdict.SuccessExceeded)
            return (default, TooMany($"您已达到请求数限制：{decision.Minutes}分钟内最多请求{decision.Limit}次"));
        var t = rc.Caller.Token.Row;
        return tokens.TryEnter(t.Id, t.RpmLimit, t.TpmLimit, t.ConcurrencyLimit) switch
        {
            TokenLimitVerdict.Rpm => (default, TooMany($"该令牌已达到每分钟请求数限制 ({t.RpmLimit} RPM)")),
            TokenLimitVerdict.Tpm => (default, TooMany($"该令牌已达到每分钟 token 数限制 ({t.TpmLimit} TPM)")),
            TokenLimitVerdict.Concurrency => (default, TooMany($"该令牌已达到并发请求数限制 ({t.ConcurrencyLimit})")),
            _ => (new Lease(t.ConcurrencyLimit > 0), null),
        };
    }

    public void Exit(RelayContext rc, Lease lease)
    {
        if (lease.ConcurrencyHeld) tokens.Exit(rc.Caller.Token.Id);
        if (rc.Http.Response.StatusCode < 400) models.RecordSuccess(rc.Caller.User.Id);
    }

    private static RelayError TooMany(string message) => RelayError.Local(429, message, ErrorCodes.RateLimited);
}
