using Microsoft.Extensions.Logging;
using NewApi.Billing.Ledger;
using NewApi.Billing.Prices;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Routing;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// Distribute (relay.md §2.3) and the attempt loop (§2.6 step 8, §2.18, §2.19): attempt r picks a channel at tier r
/// that this request has not tried, a failure may disable the channel, and a retry happens only while nothing was
/// sent to the client, the client is still there, the channel was not pinned and attempts (RetryTimes) remain.
/// </summary>
public sealed class AttemptLoop(ChannelCache channels, ChannelSelector selector, GroupPolicy groups, RelayPolicy policy, AttemptRunner runner,
    ChannelDisabler disabler, RelayBilling billing, ErrorLog errorLog, PriceBook prices, ILogger<AttemptLoop> logger)
{
    public RelayError? Distribute(RelayContext rc)
    {
        var model = rc.Request.Model;
        var token = rc.Caller.Token;
        // NewApi: the token's model allow-list applies to a pinned channel too (New API skipped it for sk-KEY-<id>).
        if (token.Row.ModelLimitsEnabled)
        {
            if (token.ModelLimits.Count == 0) return RelayError.Local(403, "This token has no access to any models");
            if (!token.ModelLimits.Contains(model) && !token.ModelLimits.Contains(ModelNames.Normalise(model)))
                return RelayError.Local(403, $"This token has no access to model {model}");
        }
        if (model.Length == 0) return RelayError.BadRequest("Model name not specified");
        if (rc.Caller.PinnedChannel is not null) return null;
        var snapshot = channels.Current;
        if (rc.Caller.AutoGroup)
        {
            foreach (var g in groups.AutoGroupsFor(rc.Caller.User.Group))
                if (ChannelSelector.Serves(snapshot, g, model))
                {
                    rc.Group = g;
                    return null;
                }
            return NoChannel(model, "auto");
        }
        return ChannelSelector.Serves(snapshot, rc.Group, model) ? null : NoChannel(model, rc.Group);
    }

    /// <summary>Runs the attempts; returns true when the request was settled (a response, complete or not, reached the client).</summary>
    public async Task<bool> RunAsync(RelayContext rc, Hold hold, CancellationToken ct)
    {
        var rules = policy.Current;
        var pinned = rc.Caller.PinnedChannel;
        var max = pinned is null ? rules.RetryTimes : 0;
        RelayError? last = null;
        AttemptRunner.Result? lastResult = null;
        for (int attempt = 0, tier = 0; attempt <= max; attempt++, tier++)
        {
            var channel = pinned ?? selector.Select(channels.Current, rc.Group, rc.Request.Model, tier, rc.Tried);
            if (channel is null && pinned is null && NextAutoGroup(rc))
            {
                tier = 0;
                channel = selector.Select(channels.Current, rc.Group, rc.Request.Model, tier, rc.Tried);
            }
            if (channel is null) break;
            rc.Tried.Add(channel.Id);
            var result = await runner.RunAsync(rc, channel, ct);
            var outcome = result.Outcome;
            if (outcome.Started)
            {
                if (outcome.ClientGone) RelayLog.ClientGone(logger, channel.Id);
                await billing.SettleAsync(rc, hold, result.Served!);
                return true;
            }
            if (outcome.ClientGone) return false;
            last = outcome.Error!;
            lastResult = result;
            RelayLog.UpstreamAttemptFailed(logger, channel.Id, last.UpstreamStatus != 0 ? last.UpstreamStatus : last.Status, rc.Request.Model,
                attempt + 1, max + 1);
            var scrubbed = Scrub(last.Message, result);
            await errorLog.WriteAsync(rc, channel, last, scrubbed);
            if (result.Runtime is not null && rules.ShouldDisable(last, channel.AutoBan))
                await disabler.DisableAsync(channel, result.Runtime, result.KeyIndex, scrubbed);
            if (ct.IsCancellationRequested || !rules.ShouldRetry(last)) break;
        }
        if (!ct.IsCancellationRequested) await RelayErrorResponder.WriteAsync(rc.Http, ForClient(last ?? NoChannel(rc.Request.Model, rc.Group), lastResult), ct);
        return false;
    }

    /// <summary>
    /// Cross-group retry (relay.md §2.4): an <c>auto</c> token with the flag moves on, once its group has no untried
    /// channel left, to the next auto group serving the model, which becomes the billed and logged group.
    /// </summary>
    private bool NextAutoGroup(RelayContext rc)
    {
        if (!rc.Caller.AutoGroup || !rc.Caller.Token.Row.CrossGroupRetry) return false;
        var passed = false;
        foreach (var g in groups.AutoGroupsFor(rc.Caller.User.Group))
        {
            if (!passed)
            {
                passed = g == rc.Group;
                continue;
            }
            if (!ChannelSelector.Serves(channels.Current, g, rc.Request.Model)) continue;
            rc.Group = g;
            rc.GroupPricing = prices.Current.Group(rc.Caller.User.Group, g);
            return true;
        }
        return false;
    }

    /// <summary>status_code_mapping applies to what the client sees; the message loses keys, addresses and hosts.</summary>
    private static RelayError ForClient(RelayError error, AttemptRunner.Result? result)
    {
        if (result?.Runtime is not { } runtime) return error;
        var status = error.UpstreamStatus != 0 && runtime.StatusCodeMapping.TryGetValue(error.Status, out var mapped) ? mapped : error.Status;
        return error with { Status = status, Message = Scrub(error.Message, result) };
    }

    private static string Scrub(string message, AttemptRunner.Result result) =>
        MessageScrubber.Scrub(message, result.Runtime?.Keys ?? [], result.BaseUrl);

    private static RelayError NoChannel(string model, string group) =>
        RelayError.Local(503, $"No available channel for model {model} under group {group} (distributor)", ErrorCodes.ModelNotFound);
}
