using NewApi.Relay.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Relay.Probe;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;

namespace NewApi.Admin.Channels;

/// <summary>GET /api/channel/update_balance[/{id}]: asks the provider's balance API and stores the USD figure.</summary>
internal sealed class ChannelBalanceService(ChannelRepository repo, ChannelProbe probe, SecretBox box, ChannelDisabler automation,
    OptionsStore options, TimeProvider time)
{
    public const string NoBalanceReason = "余额不足";

    public async Task<BalanceOutcome> UpdateAsync(long id, CancellationToken ct)
    {
        if (await repo.FindAsync(id, ct) is not { } channel) return new(null, "渠道不存在");
        if (ChannelInfoCodec.Parse(channel.ChannelInfo).IsMultiKey) return new(null, "多密钥渠道不支持余额查询");
        return await FetchAndStoreAsync(channel, ct);
    }

    /// <summary>
    /// Every enabled single-key channel; a channel whose balance is zero or less is disabled automatically (when its
    /// auto_ban allows). Channels whose provider has no balance API are skipped silently, as in New API.
    /// </summary>
    public async Task<int> UpdateAllAsync(CancellationToken ct)
    {
        var updated = 0;
        foreach (var channel in await repo.ListAllAsync(ct))
        {
            if (channel.Status != ChannelStatus.Enabled || ChannelInfoCodec.Parse(channel.ChannelInfo).IsMultiKey) continue;
            var result = await FetchAndStoreAsync(channel, ct);
            if (result.Balance is not { } balance) continue;
            updated++;
            if (balance <= 0) await automation.DisableAsync(channel.Id, 0, NoBalanceReason, ct);
        }
        return updated;
    }

    private async Task<BalanceOutcome> FetchAndStoreAsync(ChannelRow channel, CancellationToken ct)
    {
        var target = new ProbeTarget(channel.Type, ChannelProfiles.BaseUrl(channel.Type, channel.BaseUrl), ChannelKeys.First(box.Decrypt(channel.KeyEnc)))
        {
            Organization = channel.OpenAiOrganization,
        };
        var result = await probe.FetchBalanceAsync(target, options.Current.GetDouble("Price", 7.3), ct);
        if (result.Balance is { } balance) await repo.UpdateBalanceAsync(channel.Id, balance, time.UnixSeconds(), ct);
        return result;
    }
}
