using System.Text.Json;
using NewApi.Auth;
using NewApi.Billing;
using NewApi.Billing.Ledger;
using NewApi.Billing.Limits;
using NewApi.Billing.Prices;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Realtime;

/// <summary>
/// Charges a realtime session response by response (relay.md §3.8). NewApi: New API charged each response.done as it
/// came AND settled the summed usage again at the end (the session was billed twice); here each response is one
/// settlement with its own consume log (<c>ws: true</c>), queued before the event reaches the client so a disconnect or a
/// crash never loses it, and the session's up-front reservation is only a balance check, returned at the end.
/// </summary>
public sealed class RealtimeBilling(QuotaLedger ledger, PriceBook prices, BalanceBook book, TokenLimiter limiter, ClientIpResolver ips, TimeProvider time)
{
    /// <summary>Queues the charge of one response; returns its quota.</summary>
    public async Task<long> ChargeAsync(RelayContext rc, ChannelRow channel, string upstreamModel, long firstByteMs, UsageCounts usage, bool estimated)
    {
        var tables = prices.Current;
        var quota = AudioQuota.FinalAny(rc.Pricing, rc.GroupPricing.Ratio, usage, tables.QuotaPerUnit);
        var served = new ServedBy(channel, upstreamModel, false, firstByteMs, new AttemptOutcome { Started = true, UpstreamUsage = usage }, estimated);
        var log = ConsumeLog.Build(rc, served, usage, quota, time.GetUtcNow().ToUnixTimeSeconds(), time.GetTimestamp(), time, ips.ResolveString(rc.Http));
        var token = rc.Caller.Token;
        var charge = new Hold(0, rc.Caller.User.Id, token.Id, token.Id != 0 && !token.Row.UnlimitedQuota, 0);
        limiter.RecordTokens(token.Id, usage.Total);
        await ledger.SettleAsync(new Settlement(charge, quota, channel.Id, log));
        return quota;
    }

    /// <summary>The caller's quota as the ledger last published it (user, and token when limited).</summary>
    public (long User, long? Token) Balances(RelayContext rc)
    {
        book.TryGetUserQuota(rc.Caller.User.Id, out var user);
        var token = rc.Caller.Token;
        long? remain = token.Id != 0 && !token.Row.UnlimitedQuota && book.TryGetTokenRemain(token.Id, out var r) ? r : null;
        return (user, remain);
    }
}

/// <summary>The realtime consume log's extras: <c>ws</c>, and the audio keys when the response had audio.</summary>
internal sealed class RealtimeRule : RouteRule
{
    public override void WriteLogOther(Utf8JsonWriter w, RelayContext rc, in UsageCounts usage)
    {
        w.WriteBoolean("ws", true);
        if (usage.AudioInputTokens + usage.AudioOutputTokens > 0) WriteAudio(w, rc.Pricing, usage);
    }
}
