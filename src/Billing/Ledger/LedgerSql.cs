using Microsoft.Data.Sqlite;
using NewApi.Storage;

namespace NewApi.Billing.Ledger;

/// <summary>Every statement the ledger runs.</summary>
internal static class LedgerSql
{
    public const string HoldToken =
        "UPDATE tokens SET remain_quota = remain_quota - $a, accessed_time = $now WHERE id = $id AND remain_quota >= $a RETURNING remain_quota";
    public const string UndoHoldToken = "UPDATE tokens SET remain_quota = remain_quota + $a WHERE id = $id";
    public const string HoldUser = "UPDATE users SET quota = quota - $a WHERE id = $id AND quota >= $a RETURNING quota";
    public const string InsertReservation = """
        INSERT INTO quota_reservations(request_id, user_id, token_id, amount, token_unlimited, created_at)
        VALUES ($rid, $u, $t, $a, $tu, $now)
        """;

    public const string ApplyUser =
        "UPDATE users SET quota = quota + $q, used_quota = used_quota + $used, request_count = request_count + $n WHERE id = $id RETURNING quota";
    public const string ApplyToken =
        "UPDATE tokens SET remain_quota = remain_quota + $q, used_quota = used_quota + $used, accessed_time = $now WHERE id = $id RETURNING remain_quota";
    public const string RefundToken =
        "UPDATE tokens SET remain_quota = remain_quota + $q, used_quota = used_quota + $used WHERE id = $id RETURNING remain_quota";
    public const string ApplyChannel = "UPDATE channels SET used_quota = used_quota + $used WHERE id = $id";
    public const string DeleteReservation = "DELETE FROM quota_reservations WHERE id = $id";
    public const string UpsertQuotaData = """
        INSERT INTO quota_data(user_id, username, model_name, created_at, use_group, token_id, channel_id, node_name, token_used, count, quota)
        VALUES ($u, $name, $model, $at, $g, $t, $c, $node, $used, $n, $q)
        ON CONFLICT(user_id, model_name, created_at, use_group, token_id, channel_id, node_name)
        DO UPDATE SET token_used = token_used + excluded.token_used, count = count + excluded.count, quota = quota + excluded.quota,
            username = excluded.username
        """;

    public const string ListReservations = "SELECT id, user_id, token_id, amount, token_unlimited FROM quota_reservations ORDER BY id";

    public static async Task<long?> ScalarNullableLongAsync(this SqliteConnection conn, string sql, SqliteTransaction? tx, CancellationToken ct,
        params (string, object?)[] args)
    {
        await using var cmd = conn.Command(sql, tx, args);
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is null or DBNull ? null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
    }
}
