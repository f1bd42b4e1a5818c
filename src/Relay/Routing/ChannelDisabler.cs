using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Routing;

/// <summary>
/// Automatic disable (relay.md §2.19): status 3 with other_info.status_reason / status_time, abilities follow. On a
/// multi-key channel only the failing key is disabled (multi_key_status_list / _disabled_reason / _disabled_time);
/// the channel goes to status 3 ("All keys are disabled") when the last key does.
/// </summary>
public sealed class ChannelDisabler(ChannelRepository repo, ChannelCache cache, TimeProvider time, ILogger<ChannelDisabler> logger)
{
    public async Task DisableAsync(ChannelRow channel, ChannelRuntime runtime, int keyIndex, string reason)
    {
        try
        {
            // Re-read: the snapshot row may be stale, and another request may have disabled it already.
            var current = cache.Current.ById.TryGetValue(channel.Id, out var c) ? c : channel;
            if (current.Status != ChannelStatus.Enabled) return;
            var now = time.UnixSeconds();
            if (runtime.MultiKey && keyIndex >= 0)
            {
                var info = JsonNode.Parse(string.IsNullOrWhiteSpace(current.ChannelInfo) ? "{}" : current.ChannelInfo) as JsonObject ?? [];
                Mark(info, "multi_key_status_list", keyIndex, JsonValue.Create((int)ChannelStatus.AutoDisabled));
                Mark(info, "multi_key_disabled_reason", keyIndex, JsonValue.Create(reason));
                Mark(info, "multi_key_disabled_time", keyIndex, JsonValue.Create(now));
                var disabled = (info["multi_key_status_list"] as JsonObject)?.Count ?? 0;
                await repo.UpdateChannelInfoAsync(current.Id, info.ToJsonString(), current.KeyEnc);
                if (disabled < runtime.Keys.Count) return;
                reason = "All keys are disabled";
            }
            await repo.SetStatusAsync(current.Id, ChannelStatus.AutoDisabled, OtherInfo(current.OtherInfo, reason, now));
            RelayLog.ChannelDisabled(logger, current.Id, current.Name, reason);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or JsonException)
        {
            RelayLog.ChannelDisableFailed(logger, e, channel.Id);
        }
    }

    private static void Mark(JsonObject info, string name, int index, JsonNode value)
    {
        if (info[name] is not JsonObject list) info[name] = list = [];
        list[index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = value;
    }

    private static string OtherInfo(string existing, string reason, long now)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(string.IsNullOrWhiteSpace(existing) ? "{}" : existing) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            obj = [];
        }
        obj["status_reason"] = JsonValue.Create(reason);
        obj["status_time"] = JsonValue.Create(now);
        return obj.ToJsonString();
    }
}
