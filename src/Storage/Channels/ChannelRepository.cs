using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Channels;

/// <summary>
/// channels + abilities. Every write rebuilds the affected ability rows in the same transaction and raises
/// <see cref="Changed"/>, on which <see cref="ChannelCache"/> swaps in a fresh snapshot.
/// </summary>
public sealed class ChannelRepository(SqliteDb db)
{
    private const string InsertSql = """
        INSERT INTO channels(type, "key", openai_organization, test_model, status, name, weight, created_time, test_time, response_time,
            base_url, other, balance, balance_updated_time, models, "group", used_quota, model_mapping, status_code_mapping, priority,
            auto_ban, other_info, tag, setting, param_override, header_override, remark, channel_info, settings)
        VALUES ($type, $key, $org, $test_model, $status, $name, $weight, $created_time, $test_time, $response_time, $base_url, $other,
            $balance, $balance_updated_time, $models, $group, $used_quota, $model_mapping, $status_code_mapping, $priority, $auto_ban,
            $other_info, $tag, $setting, $param_override, $header_override, $remark, $channel_info, $settings)
        """;

    private const string UpdateSql = """
        UPDATE channels SET type = $type, "key" = $key, openai_organization = $org, test_model = $test_model, status = $status,
            name = $name, weight = $weight, base_url = $base_url, other = $other, models = $models, "group" = $group,
            model_mapping = $model_mapping, status_code_mapping = $status_code_mapping, priority = $priority, auto_ban = $auto_ban,
            other_info = $other_info, tag = $tag, setting = $setting, param_override = $param_override, header_override = $header_override,
            remark = $remark, channel_info = $channel_info, settings = $settings
        WHERE id = $id
        """;

    /// <summary>
    /// Awaited after every committed write, so when a write returns the routing snapshot already reflects it
    /// (a request right after an admin change never routes on the old state).
    /// </summary>
    public Func<CancellationToken, Task>? AfterWrite { get; set; }

    public Task NotifyChangedAsync(CancellationToken ct = default) => AfterWrite?.Invoke(ct) ?? Task.CompletedTask;

    public async Task<ChannelRow?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync("SELECT " + ChannelRow.Columns + " FROM channels WHERE id = $id", null, ChannelRow.Read, ct, ("$id", id));
    }

    /// <summary>Every channel (the admin list pages, sorts and filters in memory: channel counts are small).</summary>
    public async Task<List<ChannelRow>> ListAllAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync("SELECT " + ChannelRow.Columns + " FROM channels ORDER BY id", null, ChannelRow.Read, ct);
    }

    public async Task<List<AbilityRow>> ListAbilitiesAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync("SELECT \"group\", model, channel_id, enabled, priority, weight, tag FROM abilities", null, AbilityRow.Read, ct);
    }

    public async Task<List<long>> InsertManyAsync(IReadOnlyList<ChannelRow> rows, CancellationToken ct = default)
    {
        var ids = await db.WriteAsync(async (conn, tx) =>
        {
            var list = new List<long>(rows.Count);
            foreach (var row in rows)
            {
                await conn.ExecuteAsync(InsertSql, tx, ct, row.Parameters());
                var id = await conn.LastInsertIdAsync(tx, ct);
                await RebuildAbilitiesAsync(conn, tx, row with { Id = id }, ct);
                list.Add(id);
            }
            return list;
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return ids;
    }

    /// <summary>Writes every editable column of <paramref name="row"/> and rebuilds its abilities.</summary>
    public async Task<bool> UpdateAsync(ChannelRow row, CancellationToken ct = default)
    {
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            var changed = await conn.ExecuteAsync(UpdateSql, tx, ct, [.. row.Parameters(), ("$id", row.Id)]);
            if (changed == 1) await RebuildAbilitiesAsync(conn, tx, row, ct);
            return changed;
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return n == 1;
    }

    /// <summary>
    /// Read-modify-write of one channel inside a single write transaction, so concurrent edits (PUT, multi-key actions,
    /// automatic disables) never overwrite each other. <paramref name="change"/> returns null to leave the row as it is.
    /// </summary>
    public async Task<ChannelRow?> UpdateWithAsync(long id, Func<ChannelRow, ChannelRow?> change, CancellationToken ct = default)
    {
        var updated = await db.WriteAsync(async (conn, tx) =>
        {
            var current = await conn.QuerySingleAsync("SELECT " + ChannelRow.Columns + " FROM channels WHERE id = $id", tx, ChannelRow.Read, ct, ("$id", id));
            if (current is null || change(current) is not { } next) return null;
            next = next with { Id = id };
            await conn.ExecuteAsync(UpdateSql, tx, ct, [.. next.Parameters(), ("$id", id)]);
            await RebuildAbilitiesAsync(conn, tx, next, ct);
            return next;
        }, ct);
        if (updated is not null) await NotifyChangedAsync(CancellationToken.None);
        return updated;
    }

    /// <summary>Writes several channels (tag edits) and rebuilds their abilities in one transaction.</summary>
    public async Task<int> UpdateManyAsync(IReadOnlyList<ChannelRow> rows, CancellationToken ct = default)
    {
        if (rows.Count == 0) return 0;
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            var count = 0;
            foreach (var row in rows)
            {
                if (await conn.ExecuteAsync(UpdateSql, tx, ct, [.. row.Parameters(), ("$id", row.Id)]) != 1) continue;
                await RebuildAbilitiesAsync(conn, tx, row, ct);
                count++;
            }
            return count;
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return n;
    }

    /// <summary>Several status changes (tag enable/disable, batch status, test-all outcomes) in one transaction.</summary>
    public async Task<int> SetStatusManyAsync(IReadOnlyList<(long Id, ChannelStatus Status, string OtherInfo)> changes, CancellationToken ct = default)
    {
        if (changes.Count == 0) return 0;
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            var count = 0;
            foreach (var (id, status, otherInfo) in changes)
            {
                count += await conn.ExecuteAsync("UPDATE channels SET status = $s, other_info = $o WHERE id = $id", tx, ct,
                    ("$s", (int)status), ("$o", otherInfo), ("$id", id));
                await conn.ExecuteAsync("UPDATE abilities SET enabled = $e WHERE channel_id = $id", tx, ct,
                    ("$e", status == ChannelStatus.Enabled ? 1 : 0), ("$id", id));
            }
            return count;
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return n;
    }

    /// <summary>Deletes every manually or automatically disabled channel together with its abilities.</summary>
    public async Task<int> DeleteDisabledAsync(CancellationToken ct = default)
    {
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            // NewApi: New API left the ability rows of these channels behind (enabled = false); they are removed with the channel.
            await conn.ExecuteAsync("DELETE FROM abilities WHERE channel_id IN (SELECT id FROM channels WHERE status IN (2, 3))", tx, ct);
            return await conn.ExecuteAsync("DELETE FROM channels WHERE status IN (2, 3)", tx, ct);
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return n;
    }

    public async Task<int> DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            var count = 0;
            foreach (var id in ids)
            {
                await conn.ExecuteAsync("DELETE FROM abilities WHERE channel_id = $id", tx, ct, ("$id", id));
                count += await conn.ExecuteAsync("DELETE FROM channels WHERE id = $id", tx, ct, ("$id", id));
            }
            return count;
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return n;
    }

    /// <summary>Status change (manual or automatic) with the reason recorded in other_info; abilities follow.</summary>
    public async Task<bool> SetStatusAsync(long id, ChannelStatus status, string otherInfo, CancellationToken ct = default)
    {
        var n = await db.WriteAsync(async (conn, tx) =>
        {
            var changed = await conn.ExecuteAsync("UPDATE channels SET status = $s, other_info = $o WHERE id = $id", tx, ct,
                ("$s", (int)status), ("$o", otherInfo), ("$id", id));
            await conn.ExecuteAsync("UPDATE abilities SET enabled = $e WHERE channel_id = $id", tx, ct,
                ("$e", status == ChannelStatus.Enabled ? 1 : 0), ("$id", id));
            return changed;
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return n == 1;
    }

    /// <summary>Multi-key state only (per-key disable/enable); no ability change unless the channel status changes too.</summary>
    public async Task UpdateChannelInfoAsync(long id, string channelInfo, string keyEnc, CancellationToken ct = default)
    {
        await db.WriteAsync((conn, tx) => conn.ExecuteAsync("UPDATE channels SET channel_info = $ci, \"key\" = $k WHERE id = $id", tx, ct,
            ("$ci", channelInfo), ("$k", keyEnc), ("$id", id)), ct);
        await NotifyChangedAsync(CancellationToken.None);
    }

    public async Task UpdateTestResultAsync(long id, long testTime, long responseTimeMs, CancellationToken ct = default)
    {
        await db.WriteAsync((conn, tx) => conn.ExecuteAsync("UPDATE channels SET test_time = $t, response_time = $r WHERE id = $id", tx, ct,
            ("$t", testTime), ("$r", responseTimeMs), ("$id", id)), ct);
        await NotifyChangedAsync(CancellationToken.None);
    }

    public async Task UpdateBalanceAsync(long id, double balance, long time, CancellationToken ct = default)
    {
        await db.WriteAsync((conn, tx) => conn.ExecuteAsync("UPDATE channels SET balance = $b, balance_updated_time = $t WHERE id = $id", tx, ct,
            ("$b", balance), ("$t", time), ("$id", id)), ct);
        await NotifyChangedAsync(CancellationToken.None);
    }

    /// <summary>Truncates and rebuilds every ability row (POST /api/channel/fix).</summary>
    public async Task<(int Channels, int Abilities)> RebuildAllAbilitiesAsync(CancellationToken ct = default)
    {
        var result = await db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("DELETE FROM abilities", tx, ct);
            var rows = await conn.QueryAsync("SELECT " + ChannelRow.Columns + " FROM channels", tx, ChannelRow.Read, ct);
            var abilities = 0;
            foreach (var row in rows) abilities += await RebuildAbilitiesAsync(conn, tx, row, ct);
            return (rows.Count, abilities);
        }, ct);
        await NotifyChangedAsync(CancellationToken.None);
        return result;
    }

    /// <summary>One ability per (group × model) of the channel, enabled when the channel is.</summary>
    public static async Task<int> RebuildAbilitiesAsync(SqliteConnection conn, SqliteTransaction tx, ChannelRow row, CancellationToken ct)
    {
        await conn.ExecuteAsync("DELETE FROM abilities WHERE channel_id = $id", tx, ct, ("$id", row.Id));
        var count = 0;
        foreach (var group in row.GroupList)
            foreach (var model in row.ModelList)
                count += await conn.ExecuteAsync("""
                    INSERT INTO abilities("group", model, channel_id, enabled, priority, weight, tag) VALUES ($g, $m, $c, $e, $p, $w, $t)
                    ON CONFLICT DO NOTHING
                    """, tx, ct, ("$g", group), ("$m", model), ("$c", row.Id), ("$e", row.Status == ChannelStatus.Enabled ? 1 : 0),
                    ("$p", row.Priority), ("$w", row.Weight), ("$t", row.Tag));
        return count;
    }
}
