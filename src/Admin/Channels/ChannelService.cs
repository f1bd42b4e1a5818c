using NewApi.Relay.Routing;
using System.Text.Json;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

/// <summary>Create, update and copy rules of /api/channel (validation, key modes, multi-key bookkeeping).</summary>
internal sealed class ChannelService(ChannelRepository repo, SecretBox box, TimeProvider time)
{
    public async Task<string?> CreateAsync(AddChannelRequest body, CancellationToken ct)
    {
        if (body.Channel is not { } input) return "无效的参数";
        var template = FromInput(input, time.UnixSeconds());
        var key = (input.Key ?? "").Trim();
        if (ChannelValidator.Validate(template, key, isAdd: true) is { } error) return error;

        var vertexJson = template.Type == ChannelType.VertexAi && !IsVertexApiKey(template.Settings);
        List<string> keys;
        switch (body.Mode)
        {
            case "single":
                keys = [key];
                break;
            case "batch":
                keys = vertexJson ? ChannelKeys.Split(key) : [.. key.Split('\n').Select(k => k.Trim()).Where(k => k.Length > 0)];
                break;
            case "multi_to_single":
                var all = ChannelKeys.Split(key);
                if (all.Count == 0) return "渠道密钥不能为空";
                var mode = body.MultiKeyMode is "polling" ? "polling" : "random";
                template = template with
                {
                    ChannelInfo = ChannelInfoCodec.Serialize(new ChannelInfoData { IsMultiKey = true, MultiKeySize = all.Count, MultiKeyMode = mode }),
                };
                keys = [string.Join('\n', all)];
                break;
            default:
                return "不支持的添加模式";
        }
        if (keys.Count == 0) return "渠道密钥不能为空";
        var rows = keys.Select(k => template with
        {
            KeyEnc = box.Encrypt(k),
            Name = body.BatchAddSetKeyPrefix2Name && keys.Count > 1 ? $"{template.Name} {(k.Length > 8 ? k[..8] : k)}" : template.Name,
        }).ToList();
        await repo.InsertManyAsync(rows, ct);
        return null;
    }

    /// <summary>PUT: fields absent (or zero, for New API's non-pointer fields) keep their stored value; status is refused.</summary>
    public async Task<(ChannelRow? Row, string? Error)> UpdateAsync(JsonElement body, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object || body.TryGetProperty("status"u8, out _)) return (null, "无效的参数");
        ChannelInput? input;
        try { input = body.Deserialize(ChannelJson.Default.ChannelInput); }
        catch (JsonException) { return (null, "无效的参数"); }
        if (input?.Id is not > 0) return (null, "无效的参数");
        string? error = null;
        var found = false;
        var row = await repo.UpdateWithAsync(input.Id.Value, current =>
        {
            found = true;
            var (next, failure) = Merge(current, input);
            error = failure;
            return next;
        }, ct);
        if (!found) return (null, "渠道不存在");
        return row is null ? (null, error ?? "无效的参数") : (row, null);
    }

    private (ChannelRow? Row, string? Error) Merge(ChannelRow c, ChannelInput i)
    {
        var next = c with
        {
            Type = i.Type is > 0 ? (ChannelType)i.Type.Value : c.Type,
            Name = string.IsNullOrEmpty(i.Name) ? c.Name : i.Name,
            Models = string.IsNullOrEmpty(i.Models) ? c.Models : ChannelMapper.NormalizeList(i.Models),
            Group = string.IsNullOrEmpty(i.Group) ? c.Group : ChannelMapper.NormalizeList(i.Group),
            Other = string.IsNullOrEmpty(i.Other) ? c.Other : i.Other,
            Settings = string.IsNullOrEmpty(i.Settings) ? c.Settings : i.Settings,
            OpenAiOrganization = i.OpenaiOrganization ?? c.OpenAiOrganization,
            TestModel = i.TestModel ?? c.TestModel,
            BaseUrl = i.BaseUrl is null ? c.BaseUrl : i.BaseUrl.Trim(),
            ModelMapping = i.ModelMapping ?? c.ModelMapping,
            StatusCodeMapping = i.StatusCodeMapping ?? c.StatusCodeMapping,
            Tag = i.Tag is null ? c.Tag : ChannelMapper.NormalizeTag(i.Tag),
            Setting = i.Setting ?? c.Setting,
            ParamOverride = i.ParamOverride ?? c.ParamOverride,
            HeaderOverride = i.HeaderOverride ?? c.HeaderOverride,
            Remark = i.Remark ?? c.Remark,
            Weight = i.Weight is { } w ? Math.Max(0, w) : c.Weight,
            Priority = i.Priority ?? c.Priority,
            AutoBan = i.AutoBan is { } ab ? ab != 0 : c.AutoBan,
        };
        var newKey = (i.Key ?? "").Trim();
        if (ChannelValidator.Validate(next, newKey, isAdd: false) is { } error) return (null, error);
        var info = ChannelInfoCodec.Parse(c.ChannelInfo);
        if (!info.IsMultiKey) return (newKey.Length == 0 ? next : next with { KeyEnc = box.Encrypt(newKey) }, null);

        var keys = ChannelKeys.Split(box.Decrypt(c.KeyEnc));
        if (newKey.Length > 0)
        {
            var incoming = ChannelKeys.Split(newKey);
            keys = i.KeyMode == "append" ? [.. keys, .. incoming.Where(k => !keys.Contains(k, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)] : incoming;
            if (keys.Count == 0) return (null, "渠道密钥不能为空");
        }
        info = Resize(info, keys.Count);
        if (i.MultiKeyMode is "random" or "polling") info = info with { MultiKeyMode = i.MultiKeyMode };
        return (next with { KeyEnc = box.Encrypt(string.Join('\n', keys)), ChannelInfo = ChannelInfoCodec.Serialize(info) }, null);
    }

    /// <summary>New size of a multi-key channel: per-key state beyond it is dropped.</summary>
    private static ChannelInfoData Resize(ChannelInfoData info, int size) => info with
    {
        MultiKeySize = size,
        MultiKeyStatusList = info.MultiKeyStatusList?.Where(kv => kv.Key < size).ToDictionary(),
        MultiKeyDisabledReason = info.MultiKeyDisabledReason?.Where(kv => kv.Key < size).ToDictionary(),
        MultiKeyDisabledTime = info.MultiKeyDisabledTime?.Where(kv => kv.Key < size).ToDictionary(),
        MultiKeyPollingIndex = info.MultiKeyPollingIndex < size ? info.MultiKeyPollingIndex : 0,
    };

    public async Task<(long Id, string? Error)> CopyAsync(long id, string suffix, bool resetBalance, CancellationToken ct)
    {
        if (await repo.FindAsync(id, ct) is not { } origin) return (0, "渠道不存在");
        var clone = origin with
        {
            Id = 0, Name = origin.Name + suffix, CreatedTime = time.UnixSeconds(), TestTime = 0, ResponseTime = 0,
            Balance = resetBalance ? 0 : origin.Balance,
            BalanceUpdatedTime = resetBalance ? 0 : origin.BalanceUpdatedTime,
            UsedQuota = resetBalance ? 0 : origin.UsedQuota,
        };
        var ids = await repo.InsertManyAsync([clone], ct);
        return (ids[0], null);
    }

    private static ChannelRow FromInput(ChannelInput i, long now) => new()
    {
        Type = (ChannelType)(i.Type ?? 0),
        OpenAiOrganization = i.OpenaiOrganization,
        TestModel = i.TestModel,
        // new-api: a new channel may start manually disabled; anything else starts enabled.
        Status = i.Status == (int)ChannelStatus.ManuallyDisabled ? ChannelStatus.ManuallyDisabled : ChannelStatus.Enabled,
        Name = i.Name ?? "",
        Weight = Math.Max(0, i.Weight ?? 0),
        CreatedTime = now,
        BaseUrl = (i.BaseUrl ?? "").Trim(),
        Other = i.Other ?? "",
        Models = ChannelMapper.NormalizeList(i.Models),
        Group = ChannelMapper.NormalizeList(i.Group) is { Length: > 0 } g ? g : "default",
        ModelMapping = string.IsNullOrWhiteSpace(i.ModelMapping) ? null : i.ModelMapping,
        StatusCodeMapping = i.StatusCodeMapping ?? "",
        Priority = i.Priority ?? 0,
        AutoBan = (i.AutoBan ?? 1) != 0,
        Tag = ChannelMapper.NormalizeTag(i.Tag),
        Setting = string.IsNullOrWhiteSpace(i.Setting) ? null : i.Setting,
        ParamOverride = string.IsNullOrWhiteSpace(i.ParamOverride) ? null : i.ParamOverride,
        HeaderOverride = string.IsNullOrWhiteSpace(i.HeaderOverride) ? null : i.HeaderOverride,
        Remark = i.Remark ?? "",
        Settings = i.Settings ?? "",
    };

    private static bool IsVertexApiKey(string settings)
    {
        if (string.IsNullOrWhiteSpace(settings)) return false;
        try
        {
            using var doc = JsonDocument.Parse(settings);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("vertex_key_type"u8, out var v)
                && v.ValueKind == JsonValueKind.String && v.GetString() == "api_key";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
