using NewApi.Relay.Routing;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

internal static class ChannelMapper
{
    /// <summary>Row → wire view. The key never leaves (always ""); per-key disable reasons and times are stripped as in New API.</summary>
    public static ChannelView ToView(ChannelRow r)
    {
        var info = ChannelInfoCodec.Parse(r.ChannelInfo);
        if (info.IsMultiKey) info = info with { MultiKeyDisabledReason = null, MultiKeyDisabledTime = null };
        return new ChannelView
        {
            Id = r.Id, Type = (int)r.Type, Key = "", OpenaiOrganization = r.OpenAiOrganization, TestModel = r.TestModel,
            Status = (int)r.Status, Name = r.Name, Weight = r.Weight, CreatedTime = r.CreatedTime, TestTime = r.TestTime,
            ResponseTime = r.ResponseTime, BaseUrl = r.BaseUrl, Other = r.Other, Balance = r.Balance, BalanceUpdatedTime = r.BalanceUpdatedTime,
            Models = r.Models, Group = r.Group, UsedQuota = r.UsedQuota, ModelMapping = r.ModelMapping, StatusCodeMapping = r.StatusCodeMapping,
            Priority = r.Priority, AutoBan = r.AutoBan ? 1 : 0, OtherInfo = r.OtherInfo, Tag = r.Tag, Setting = r.Setting,
            ParamOverride = r.ParamOverride, HeaderOverride = r.HeaderOverride, Remark = r.Remark, ChannelInfo = info, Settings = r.Settings,
        };
    }

    /// <summary>"a, b,,a" → "a,b": trimmed, de-duplicated, order kept.</summary>
    public static string NormalizeList(string? csv) => string.Join(',', ChannelRow.Split(csv ?? ""));

    public static string? NormalizeTag(string? tag) => string.IsNullOrWhiteSpace(tag) ? null : tag.Trim();
}
