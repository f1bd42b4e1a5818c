using NewApi.Relay.Routing;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

/// <summary>Manual status changes and the tag operations; every write keeps abilities and the routing snapshot in step.</summary>
internal sealed class ChannelBulkService(ChannelRepository repo, TimeProvider time)
{
    public const string ManualReason = "manual operation";
    public const string ManualBatchReason = "manual batch operation";
    private readonly SemaphoreSlim _fix = new(1, 1);

    /// <summary>POST /api/channel/fix: truncate and rebuild abilities; a second call while one runs is refused.</summary>
    public async Task<(int Channels, bool Busy)> FixAbilitiesAsync(CancellationToken ct)
    {
        if (!await _fix.WaitAsync(0, ct)) return (0, true);
        try
        {
            var (channels, _) = await repo.RebuildAllAbilitiesAsync(ct);
            return (channels, false);
        }
        finally
        {
            _fix.Release();
        }
    }

    /// <summary>True when the channel existed and its status actually changed.</summary>
    public async Task<bool> SetStatusAsync(long id, ChannelStatus status, CancellationToken ct)
    {
        var now = time.UnixSeconds();
        var row = await repo.UpdateWithAsync(id, c => c.Status == status ? null
            : c with { Status = status, OtherInfo = ChannelInfoCodec.WithStatusReason(c.OtherInfo, ManualReason, now) }, ct);
        return row is not null;
    }

    public async Task<int> SetStatusManyAsync(IEnumerable<long> ids, ChannelStatus status, string reason, CancellationToken ct)
    {
        var wanted = ids.ToHashSet();
        var now = time.UnixSeconds();
        var changes = (await repo.ListAllAsync(ct))
            .Where(c => wanted.Contains(c.Id) && c.Status != status)
            .Select(c => (c.Id, status, ChannelInfoCodec.WithStatusReason(c.OtherInfo, reason, now)))
            .ToList();
        return await repo.SetStatusManyAsync(changes, ct);
    }

    public async Task<int> SetTagStatusAsync(string tag, ChannelStatus status, CancellationToken ct)
    {
        var ids = (await repo.ListAllAsync(ct)).Where(c => c.Tag == tag).Select(c => c.Id).ToList();
        return await SetStatusManyAsync(ids, status, ManualReason, ct);
    }

    /// <summary>PUT /api/channel/tag: the given fields are written to every channel of the tag (abilities rebuilt).</summary>
    public async Task<string?> EditTagAsync(ChannelTagRequest r, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.Tag)) return "tag不能为空";
        var paramOverride = r.ParamOverride?.Trim();
        var headerOverride = r.HeaderOverride?.Trim();
        if (ChannelValidator.JsonObjectError(paramOverride) is not null) return "参数覆盖必须是合法的 JSON 格式";
        if (ChannelValidator.JsonObjectError(headerOverride) is not null) return "请求头覆盖必须是合法的 JSON 格式";
        if (ChannelValidator.JsonObjectError(r.ModelMapping) is not null) return "模型映射必须是合法的 JSON 格式";
        var models = string.IsNullOrEmpty(r.Models) ? null : ChannelMapper.NormalizeList(r.Models);
        if (models is not null && models.Split(',').Any(m => m.Length > ChannelValidator.MaxModelNameLength)) return "模型名称过长";
        var groups = string.IsNullOrEmpty(r.Groups) ? null : ChannelMapper.NormalizeList(r.Groups);
        var newTag = string.IsNullOrEmpty(r.NewTag) ? null : ChannelMapper.NormalizeTag(r.NewTag);
        var rows = (await repo.ListAllAsync(ct)).Where(c => c.Tag == r.Tag).Select(c => c with
        {
            Tag = newTag ?? c.Tag,
            Priority = r.Priority ?? c.Priority,
            Weight = r.Weight is { } w ? Math.Max(0, w) : c.Weight,
            ModelMapping = r.ModelMapping is null ? c.ModelMapping : (r.ModelMapping.Length == 0 ? null : r.ModelMapping),
            Models = models ?? c.Models,
            Group = groups ?? c.Group,
            ParamOverride = paramOverride is null ? c.ParamOverride : (paramOverride.Length == 0 ? null : paramOverride),
            HeaderOverride = headerOverride is null ? c.HeaderOverride : (headerOverride.Length == 0 ? null : headerOverride),
        }).ToList();
        await repo.UpdateManyAsync(rows, ct);
        return null;
    }

    /// <summary>POST /api/channel/batch/tag: null or "" clears the tag.</summary>
    public async Task BatchSetTagAsync(IEnumerable<long> ids, string? tag, CancellationToken ct)
    {
        var wanted = ids.ToHashSet();
        var normalized = ChannelMapper.NormalizeTag(tag);
        var rows = (await repo.ListAllAsync(ct)).Where(c => wanted.Contains(c.Id)).Select(c => c with { Tag = normalized }).ToList();
        await repo.UpdateManyAsync(rows, ct);
    }

    /// <summary>GET /api/channel/tag/models: the longest models list among the tag's channels.</summary>
    public async Task<string> TagModelsAsync(string tag, CancellationToken ct)
    {
        var best = "";
        var max = 0;
        foreach (var c in (await repo.ListAllAsync(ct)).Where(c => c.Tag == tag && c.Models.Length > 0))
        {
            var count = c.Models.Split(',').Length;
            if (count > max) (max, best) = (count, c.Models);
        }
        return best;
    }
}
