using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

/// <summary>
/// Automatic status changes (test-all outcomes, zero balance): status 3 with the reason in other_info. A multi-key
/// channel loses only the failing key; it becomes status 3 ("All keys are disabled") when no key is left enabled.
/// </summary>
internal sealed class ChannelStatusAutomation(ChannelRepository repo, TimeProvider time, ILogger<ChannelStatusAutomation> log)
{
    public const string AllKeysDisabled = "All keys are disabled";

    public async Task<bool> DisableAsync(long channelId, int keyIndex, string reason, CancellationToken ct)
    {
        var now = time.UnixSeconds();
        var row = await repo.UpdateWithAsync(channelId, c =>
        {
            if (c.Status != ChannelStatus.Enabled || !c.AutoBan) return null;
            var info = ChannelInfoCodec.Parse(c.ChannelInfo);
            if (!info.IsMultiKey) return c with { Status = ChannelStatus.AutoDisabled, OtherInfo = ChannelInfoCodec.WithStatusReason(c.OtherInfo, reason, now) };
            info = SetKey(info, keyIndex, 3, reason, now);
            var anyEnabled = Enumerable.Range(0, info.MultiKeySize).Any(i => ChannelInfoCodec.KeyStatus(info, i) == 1);
            var next = c with { ChannelInfo = ChannelInfoCodec.Serialize(info) };
            return anyEnabled ? next
                : next with { Status = ChannelStatus.AutoDisabled, OtherInfo = ChannelInfoCodec.WithStatusReason(c.OtherInfo, AllKeysDisabled, now) };
        }, ct);
        if (row is not null) log.ChannelAutoDisabled(channelId, reason);
        return row?.Status == ChannelStatus.AutoDisabled;
    }

    /// <summary>An automatically disabled channel (or key) that passed a test is enabled again; manual disables are never undone.</summary>
    public async Task<bool> EnableAsync(long channelId, int keyIndex, CancellationToken ct)
    {
        var row = await repo.UpdateWithAsync(channelId, c =>
        {
            if (c.Status != ChannelStatus.AutoDisabled) return null;
            var info = ChannelInfoCodec.Parse(c.ChannelInfo);
            if (info.IsMultiKey && ChannelInfoCodec.KeyStatus(info, keyIndex) == 3) info = SetKey(info, keyIndex, 1, null, 0);
            return c with { Status = ChannelStatus.Enabled, ChannelInfo = ChannelInfoCodec.Serialize(info) };
        }, ct);
        if (row is not null) log.ChannelAutoEnabled(channelId);
        return row is not null;
    }

    private static ChannelInfoData SetKey(ChannelInfoData info, int index, int status, string? reason, long now)
    {
        var list = new Dictionary<int, int>(info.MultiKeyStatusList ?? []);
        var reasons = new Dictionary<int, string>(info.MultiKeyDisabledReason ?? []);
        var times = new Dictionary<int, long>(info.MultiKeyDisabledTime ?? []);
        if (status == 1)
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
