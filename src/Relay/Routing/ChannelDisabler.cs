using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Routing;

/// <summary>
/// The one place channels change status automatically (relay.md §2.19) — failed relay attempts, failed tests, zero
/// balances: status 3 with other_info.status_reason / status_time, abilities follow. On a multi-key channel only the
/// failing key is disabled (multi_key_status_list / _disabled_reason / _disabled_time); the channel goes to status 3
/// ("All keys are disabled") when no key is left. Each change is one read-modify-write of the row, so concurrent
/// failures of different keys are all kept. A test that passes re-enables only what was disabled automatically.
/// </summary>
public sealed class ChannelDisabler(ChannelRepository repo, TimeProvider time, ILogger<ChannelDisabler> logger)
{
    public const string AllKeysDisabled = "All keys are disabled";

    /// <summary>After a failed relay attempt: never throws (the request's answer does not depend on it).</summary>
    public async Task DisableAsync(ChannelRow channel, ChannelRuntime runtime, int keyIndex, string reason)
    {
        try
        {
            await DisableAsync(channel.Id, runtime.MultiKey ? keyIndex : -1, reason, CancellationToken.None);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or System.Text.Json.JsonException)
        {
            RelayLog.ChannelDisableFailed(logger, e, channel.Id);
        }
    }

    /// <summary>Disables the channel (or its key <paramref name="keyIndex"/>); true when the whole channel is now status 3.</summary>
    public async Task<bool> DisableAsync(long channelId, int keyIndex, string reason, CancellationToken ct)
    {
        var now = time.UnixSeconds();
        var row = await repo.UpdateWithAsync(channelId, c =>
        {
            if (c.Status != ChannelStatus.Enabled || !c.AutoBan) return null;
            var info = ChannelInfoCodec.Parse(c.ChannelInfo);
            if (!info.IsMultiKey || keyIndex < 0)
                return c with { Status = ChannelStatus.AutoDisabled, OtherInfo = ChannelInfoCodec.WithStatusReason(c.OtherInfo, reason, now) };
            info = SetKey(info, keyIndex, (int)ChannelStatus.AutoDisabled, reason, now);
            var anyEnabled = Enumerable.Range(0, info.MultiKeySize).Any(i => ChannelInfoCodec.KeyStatus(info, i) == (int)ChannelStatus.Enabled);
            var next = c with { ChannelInfo = ChannelInfoCodec.Serialize(info) };
            return anyEnabled ? next
                : next with { Status = ChannelStatus.AutoDisabled, OtherInfo = ChannelInfoCodec.WithStatusReason(c.OtherInfo, AllKeysDisabled, now) };
        }, ct);
        if (row is not null) RelayLog.ChannelDisabled(logger, channelId, row.Name, row.Status == ChannelStatus.AutoDisabled ? reason : $"key {keyIndex}: {reason}");
        return row?.Status == ChannelStatus.AutoDisabled;
    }

    /// <summary>An automatically disabled channel (or key) that passed a test is enabled again; manual disables are never undone.</summary>
    public async Task<bool> EnableAsync(long channelId, int keyIndex, CancellationToken ct)
    {
        var row = await repo.UpdateWithAsync(channelId, c =>
        {
            if (c.Status != ChannelStatus.AutoDisabled) return null;
            var info = ChannelInfoCodec.Parse(c.ChannelInfo);
            if (info.IsMultiKey && ChannelInfoCodec.KeyStatus(info, keyIndex) == (int)ChannelStatus.AutoDisabled)
                info = SetKey(info, keyIndex, (int)ChannelStatus.Enabled, null, 0);
            return c with { Status = ChannelStatus.Enabled, ChannelInfo = ChannelInfoCodec.Serialize(info) };
        }, ct);
        if (row is not null) RelayLog.ChannelEnabled(logger, channelId);
        return row is not null;
    }

    private static ChannelInfoData SetKey(ChannelInfoData info, int index, int status, string? reason, long now)
    {
        var list = new Dictionary<int, int>(info.MultiKeyStatusList ?? []);
        var reasons = new Dictionary<int, string>(info.MultiKeyDisabledReason ?? []);
        var times = new Dictionary<int, long>(info.MultiKeyDisabledTime ?? []);
        if (status == (int)ChannelStatus.Enabled)
        {
            list.Remove(index);
            reasons.Remove(index);
            times.Remove(index);
        }
        else
        {
            list[index] = status;
            reasons[index] = reason ?? "";
            times[index] = now;
        }
        return info with { MultiKeyStatusList = list, MultiKeyDisabledReason = reasons, MultiKeyDisabledTime = times };
    }
}
