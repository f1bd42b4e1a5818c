using NewApi.Relay.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

/// <summary>Outcome of one multi_key/manage action: a message, and the status page or a count where the action has one.</summary>
internal sealed record MultiKeyResult(bool Success, string Message, MultiKeyStatusView? Status = null, int? Count = null);

/// <summary>POST /api/channel/multi_key/manage: per-key status of multi-key channels.</summary>
internal sealed class MultiKeyManager(ChannelRepository repo, SecretBox box, TimeProvider time)
{
    private const int Enabled = 1, ManualDisabled = 2, AutoDisabled = 3;

    public async Task<MultiKeyResult> RunAsync(MultiKeyManageRequest r, CancellationToken ct)
    {
        if (await repo.FindAsync(r.ChannelId, ct) is not { } channel) return new(false, "渠道不存在");
        var info = ChannelInfoCodec.Parse(channel.ChannelInfo);
        if (!info.IsMultiKey) return new(false, "该渠道不是多密钥模式");
        return r.Action switch
        {
            "get_key_status" => Status(channel, info, r),
            "disable_key" => await SetOneAsync(r, info, ManualDisabled, "未指定要禁用的密钥索引", "密钥已禁用", ct),
            "enable_key" => await SetOneAsync(r, info, Enabled, "未指定要启用的密钥索引", "密钥已启用", ct),
            "enable_all_keys" => await EnableAllAsync(r.ChannelId, ct),
            "disable_all_keys" => await DisableAllAsync(r.ChannelId, ct),
            "delete_key" => r.KeyIndex is not { } index ? new(false, "未指定要删除的密钥索引")
                : index < 0 || index >= info.MultiKeySize ? new(false, "密钥索引超出范围")
                : await RemoveAsync(r.ChannelId, (i, _) => i == index, "不能删除最后一个密钥", _ => "密钥已删除", ct),
            "delete_disabled_keys" => await RemoveAsync(r.ChannelId, (_, status) => status == AutoDisabled, "没有需要删除的自动禁用密钥",
                n => $"已删除 {n} 个自动禁用的密钥", ct),
            _ => new(false, "不支持的操作"),
        };
    }

    private MultiKeyResult Status(ChannelRow channel, ChannelInfoData info, MultiKeyManageRequest r)
    {
        var keys = ChannelKeys.Split(box.Decrypt(channel.KeyEnc));
        var page = r.Page > 0 ? r.Page : 1;
        var size = r.PageSize > 0 ? r.PageSize : 50;
        var all = keys.Select((key, i) =>
        {
            var status = ChannelInfoCodec.KeyStatus(info, i);
            return new KeyStatusView
            {
                Index = i, Status = status, KeyPreview = ChannelKeys.Preview(key),
                DisabledTime = status != Enabled && info.MultiKeyDisabledTime?.TryGetValue(i, out var t) == true ? t : 0,
                Reason = status != Enabled && info.MultiKeyDisabledReason?.TryGetValue(i, out var why) == true ? why : null,
            };
        }).ToList();
        var filtered = r.Status is { } wanted ? all.Where(k => k.Status == wanted).ToList() : all;
        var totalPages = Math.Max(1, (filtered.Count + size - 1) / size);
        page = Math.Min(page, totalPages);
        var items = filtered.Skip((page - 1) * size).Take(size).ToList();
        return new(true, "", new MultiKeyStatusView(items, filtered.Count, page, size, totalPages,
            all.Count(k => k.Status == Enabled), all.Count(k => k.Status == ManualDisabled), all.Count(k => k.Status == AutoDisabled)));
    }

    private async Task<MultiKeyResult> SetOneAsync(MultiKeyManageRequest r, ChannelInfoData info, int status, string missing, string done, CancellationToken ct)
    {
        if (r.KeyIndex is not { } index) return new(false, missing);
        if (index < 0 || index >= info.MultiKeySize) return new(false, "密钥索引超出范围");
        var now = time.UnixSeconds();
        await Mutate(r.ChannelId, i =>
        {
            var list = new Dictionary<int, int>(i.MultiKeyStatusList ?? []);
            var reasons = new Dictionary<int, string>(i.MultiKeyDisabledReason ?? []);
            var times = new Dictionary<int, long>(i.MultiKeyDisabledTime ?? []);
            if (status == Enabled)
            {
                list.Remove(index);
                reasons.Remove(index);
                times.Remove(index);
            }
            else
            {
                list[index] = status;
                reasons[index] = ChannelBulkService.ManualReason;
                times[index] = now;
            }
            return i with { MultiKeyStatusList = list, MultiKeyDisabledReason = reasons, MultiKeyDisabledTime = times };
        }, ct);
        return new(true, done);
    }

    private async Task<MultiKeyResult> EnableAllAsync(long id, CancellationToken ct)
    {
        var count = 0;
        await Mutate(id, i =>
        {
            count = i.MultiKeyStatusList?.Count ?? 0;
            return i with { MultiKeyStatusList = [], MultiKeyDisabledReason = [], MultiKeyDisabledTime = [] };
        }, ct);
        return new(true, $"已启用 {count} 个密钥");
    }

    private async Task<MultiKeyResult> DisableAllAsync(long id, CancellationToken ct)
    {
        var count = 0;
        var now = time.UnixSeconds();
        await Mutate(id, i =>
        {
            var list = new Dictionary<int, int>(i.MultiKeyStatusList ?? []);
            var reasons = new Dictionary<int, string>(i.MultiKeyDisabledReason ?? []);
            var times = new Dictionary<int, long>(i.MultiKeyDisabledTime ?? []);
            count = 0;
            for (var k = 0; k < i.MultiKeySize; k++)
            {
                if (ChannelInfoCodec.KeyStatus(i, k) != Enabled) continue;
                list[k] = ManualDisabled;
                reasons[k] = ChannelBulkService.ManualReason;
                times[k] = now;
                count++;
            }
            return count == 0 ? null : i with { MultiKeyStatusList = list, MultiKeyDisabledReason = reasons, MultiKeyDisabledTime = times };
        }, ct);
        return count == 0 ? new(false, "没有可禁用的密钥") : new(true, $"已禁用 {count} 个密钥");
    }

    /// <summary>Removes the keys <paramref name="drop"/> selects (index, status); the remaining keys' state is re-indexed.</summary>
    private async Task<MultiKeyResult> RemoveAsync(long id, Func<int, int, bool> drop, string nothing, Func<int, string> done, CancellationToken ct)
    {
        var removed = 0;
        var refused = false;
        await repo.UpdateWithAsync(id, c =>
        {
            var info = ChannelInfoCodec.Parse(c.ChannelInfo);
            var keys = ChannelKeys.Split(box.Decrypt(c.KeyEnc));
            var kept = new List<string>();
            Dictionary<int, int> list = [];
            Dictionary<int, string> reasons = [];
            Dictionary<int, long> times = [];
            for (var i = 0; i < keys.Count; i++)
            {
                var status = ChannelInfoCodec.KeyStatus(info, i);
                if (drop(i, status)) continue;
                var n = kept.Count;
                kept.Add(keys[i]);
                if (status == Enabled) continue;
                list[n] = status;
                if (info.MultiKeyDisabledReason?.TryGetValue(i, out var why) == true) reasons[n] = why;
                if (info.MultiKeyDisabledTime?.TryGetValue(i, out var t) == true) times[n] = t;
            }
            removed = keys.Count - kept.Count;
            refused = kept.Count == 0;
            if (removed == 0 || refused) return null;
            info = info with
            {
                MultiKeySize = kept.Count, MultiKeyStatusList = list, MultiKeyDisabledReason = reasons, MultiKeyDisabledTime = times,
                MultiKeyPollingIndex = info.MultiKeyPollingIndex < kept.Count ? info.MultiKeyPollingIndex : 0,
            };
            return c with { KeyEnc = box.Encrypt(string.Join('\n', kept)), ChannelInfo = ChannelInfoCodec.Serialize(info) };
        }, ct);
        if (refused) return new(false, "不能删除最后一个密钥");
        return removed == 0 ? new(false, nothing) : new(true, done(removed), Count: removed);
    }

    private Task<ChannelRow?> Mutate(long id, Func<ChannelInfoData, ChannelInfoData?> change, CancellationToken ct) =>
        repo.UpdateWithAsync(id, c => change(ChannelInfoCodec.Parse(c.ChannelInfo)) is { } next
            ? c with { ChannelInfo = ChannelInfoCodec.Serialize(next) } : null, ct);
}
