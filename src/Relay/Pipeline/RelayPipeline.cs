using Microsoft.AspNetCore.Http;
using NewApi.Billing.Ledger;
using NewApi.Config;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Tokens;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// New API's relay flow (relay.md §2.6) for JSON routes: authenticate → read and validate the body → rate limits →
/// model checks and group → price → estimate → pre-consume → attempts (pick channel, send, classify, maybe disable,
/// maybe retry) → settle or release. The hold is settled or released on every path out, exceptions included.
/// </summary>
public sealed class RelayPipeline(RelayAuthenticator auth, RelayLimits limits, RelayBilling billing, PromptEstimator estimator,
    AttemptLoop attempts, RouteRules rules, RelaySection config, TimeProvider time)
{
    private readonly Func<RelayContext, int> _estimate = rc => rc.Request.Rule?.EstimatePrompt(rc) ?? estimator.Estimate(rc.Request);

    public Task RunAsync(HttpContext ctx, RouteKind kind, PathFacts? facts = null)
    {
        var ct = ctx.RequestAborted;
        var pending = auth.AuthenticateAsync(ctx, ct);
        // A known key authenticates without waiting: this frame then needs no state machine, and the continuation chain
        // that runs when the upstream answers is one frame shorter.
        return pending.IsCompletedSuccessfully ? AfterAuth(ctx, kind, facts, pending.Result, ct) : AfterAuthAsync(ctx, kind, facts, pending, ct);
    }

    private Task AfterAuth(HttpContext ctx, RouteKind kind, PathFacts? facts, (RelayCaller? Caller, RelayError? Error) auth, CancellationToken ct) =>
        auth.Caller is null ? RelayErrorResponder.WriteAsync(ctx, auth.Error!, ct) : RunAsync(ctx, kind, auth.Caller, facts);

    private async Task AfterAuthAsync(HttpContext ctx, RouteKind kind, PathFacts? facts,
        ValueTask<(RelayCaller? Caller, RelayError? Error)> pending, CancellationToken ct) =>
        await AfterAuth(ctx, kind, facts, await pending, ct);

    /// <summary>The flow after authentication: for routes that authenticate first (multipart routes that fall back to JSON).</summary>
    /// <remarks>
    /// No state machine of its own when the body is already read (the usual case): the request and the body then go to
    /// <see cref="RunLimitedAsync"/>, which disposes them, so the chain of frames resumed when the upstream answers is one
    /// shorter.
    /// </remarks>
    public Task RunAsync(HttpContext ctx, RouteKind kind, RelayCaller caller, PathFacts? facts = null)
    {
        var ct = ctx.RequestAborted;
        var read = RequestBody.ReadAsync(ctx.Request, (long)config.MaxRequestBodyMb * 1024 * 1024, ct);
        return read.IsCompletedSuccessfully ? WithBody(ctx, kind, caller, facts, read.Result, ct) : ReadThenRunAsync(ctx, kind, caller, facts, read, ct);
    }

    private async Task ReadThenRunAsync(HttpContext ctx, RouteKind kind, RelayCaller caller, PathFacts? facts,
        ValueTask<(RequestBody? Body, RelayError? Error)> read, CancellationToken ct) =>
        await WithBody(ctx, kind, caller, facts, await read, ct);

    private Task WithBody(HttpContext ctx, RouteKind kind, RelayCaller caller, PathFacts? facts, (RequestBody? Body, RelayError? Error) read,
        CancellationToken ct)
    {
        if (read.Body is not { } body) return RelayErrorResponder.WriteAsync(ctx, read.Error!, ct);
        RelayRequest? request;
        RelayError? parseError;
        try
        {
            (request, parseError) = RelayRequest.Parse(kind, body.Memory, facts);
        }
        catch
        {
            body.Dispose();
            throw;
        }
        if (request is null)
        {
            body.Dispose();
            return RelayErrorResponder.WriteAsync(ctx, parseError!, ct);
        }
        var rc = new RelayContext
        {
            Http = ctx, Kind = kind, Caller = caller, Request = request, Body = body, Group = caller.Group,
            StartTimestamp = time.GetTimestamp(), StartUnix = time.GetUtcNow().ToUnixTimeSeconds(), OwnsInput = true,
        };
        return RunLimitedAsync(rc, ct);
    }

    /// <summary>
    /// Rate limits, billing and attempts for a parsed request (also for multipart forms and the playground): one frame for
    /// the whole flow. The hold is settled or released, and the limits' lease returned, on every path out; the request and
    /// body are disposed at the end when the context owns them.
    /// </summary>
    public async Task RunLimitedAsync(RelayContext rc, CancellationToken ct)
    {
        try
        {
            var (lease, error) = limits.Enter(rc);
            if (error is not null)
            {
                await RelayErrorResponder.WriteAsync(rc.Http, error, ct);
                return;
            }
            try
            {
                error = attempts.Distribute(rc) ?? billing.Price(rc);
                rc.Request.Rule ??= rules.For(rc.Request);
                // The first request that needs a tokenizer vocabulary loads it (~0.3 s): on the pool, never on a socket
                // thread (server.inline_io), where it would hold up every other connection of that thread.
                if (error is null && config.CountToken && !Thread.CurrentThread.IsThreadPoolThread && estimator.NeedsVocabulary(rc.Request))
                    await Task.Yield();
                if (error is null && config.CountToken) rc.EstimatePrompt = _estimate;
                Hold? hold = null;
                if (error is null) (hold, error) = await billing.HoldAsync(rc, ct);
                if (error is not null)
                {
                    // Written before the lease is returned: a refusal does not count as a success of the model limit.
                    await RelayErrorResponder.WriteAsync(rc.Http, error, ct);
                    return;
                }
                var settled = false;
                try
                {
                    settled = await attempts.RunAsync(rc, hold!, ct);
                }
                finally
                {
                    if (!settled) await billing.ReleaseAsync(hold!);
                }
            }
            finally
            {
                limits.Exit(rc, lease);
            }
        }
        finally
        {
            if (rc.OwnsInput)
            {
                rc.Request.Dispose();
                rc.Body.Dispose();
            }
        }
    }
}
