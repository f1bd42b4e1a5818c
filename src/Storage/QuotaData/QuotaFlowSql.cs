using Microsoft.Data.Sqlite;

namespace NewApi.Storage.QuotaData;

/// <summary>
/// The three flow aggregations (constant SQL per scope). Only buckets with a group count, as in New API. Token names come
/// from live tokens only: a deleted token keeps its id and an empty name, which the console shows as "deleted".
/// The admin and root views sum the whole days of the range from the per-day rollup (quota_data_day) and only the partial
/// days at its two ends from the hour buckets: [$s, $ds) and [$de, $e] from quota_data, [$ds, $de) from quota_data_day
/// (summed per key number first, then named through quota_data_key).
/// </summary>
internal static class QuotaFlowSql
{
    public const long Day = 86400;

    // One user's buckets: start from the user, not from every bucket in the range.
    private const string SelfWhere = " FROM quota_data INDEXED BY idx_quota_data_user_created WHERE user_id = $u AND created_at >= $s AND created_at <= $e AND use_group <> ''";
    private const string Sums = "sum(count) AS c, sum(quota) AS q, sum(token_used) AS t";
    private const string TokenName = "COALESCE((SELECT name FROM tokens WHERE id = g.token_id AND deleted_at IS NULL), '')";

    private const string SelfSql = "SELECT g.token_id, g.use_group, g.model_name, g.c, g.q, g.t, " + TokenName
        + " FROM (SELECT token_id, use_group, model_name, " + Sums + SelfWhere
        + " GROUP BY token_id, use_group, model_name) g ORDER BY g.q DESC, g.token_id, g.use_group, g.model_name";

    // Every part yields the root keys and the three sums; the scope's GROUP BY then merges them.
    private const string RootKeys = "user_id, username, node_name, token_id, use_group, model_name, channel_id";
    private const string Hours = "SELECT " + RootKeys + ", count, quota, token_used FROM quota_data INDEXED BY idx_quota_data_created_user WHERE use_group <> ''";
    private const string Head = Hours + " AND created_at >= $s AND created_at < $ds";
    private const string Tail = Hours + " AND created_at >= $de AND created_at <= $e";
    private const string KeyColumns = "SELECT k.user_id, k.username, k.node_name, k.token_id, k.use_group, k.model_name, k.channel_id, d.c, d.q, d.t";
    private const string Days = KeyColumns
        + " FROM (SELECT key_id, sum(count) AS c, sum(quota) AS q, sum(token_used) AS t FROM quota_data_day WHERE day >= $ds AND day < $de AND rows > 0"
        + " GROUP BY key_id) d JOIN quota_data_key k ON k.id = d.key_id WHERE k.use_group <> ''";
    private const string DaysByName = KeyColumns
        + " FROM (SELECT d.key_id, sum(d.count) AS c, sum(d.quota) AS q, sum(d.token_used) AS t FROM quota_data_key n INDEXED BY idx_quota_data_key_username"
        + " JOIN quota_data_day d INDEXED BY idx_quota_data_day_key ON d.key_id = n.id WHERE n.username = $n AND d.day >= $ds AND d.day < $de AND d.rows > 0"
        + " GROUP BY d.key_id) d JOIN quota_data_key k ON k.id = d.key_id WHERE k.use_group <> ''";
    private const string Parts = Head + " UNION ALL " + Tail + " UNION ALL " + Days;
    private const string ByName = " AND username = $n";
    private const string PartsByName = Head + ByName + " UNION ALL " + Tail + ByName + " UNION ALL " + DaysByName;

    private const string AdminKeys = "user_id, username, use_group, model_name, channel_id";
    private const string AdminSelect = "SELECT g.user_id, g.username, g.use_group, g.model_name, g.channel_id, g.c, g.q, g.t FROM (SELECT "
        + AdminKeys + ", " + Sums + " FROM (";
    private const string AdminGroup = ") GROUP BY " + AdminKeys + ") g ORDER BY g.q DESC, g.user_id, g.username, g.use_group, g.model_name, g.channel_id";
    private const string AdminSql = AdminSelect + Parts + AdminGroup;
    private const string AdminByNameSql = AdminSelect + PartsByName + AdminGroup;

    private const string RootSelect = "SELECT g.user_id, g.username, g.node_name, g.token_id, g.use_group, g.model_name, g.channel_id, g.c, g.q, g.t, "
        + TokenName + " FROM (SELECT " + RootKeys + ", " + Sums + " FROM (";
    private const string RootGroup = ") GROUP BY " + RootKeys + ") g"
        + " ORDER BY g.q DESC, g.user_id, g.username, g.node_name, g.token_id, g.use_group, g.model_name, g.channel_id";
    private const string RootSql = RootSelect + Parts + RootGroup;
    private const string RootByNameSql = RootSelect + PartsByName + RootGroup;

    public static string For(QuotaFlowScope scope, bool filterUsername) => scope switch
    {
        QuotaFlowScope.Self => SelfSql,
        QuotaFlowScope.Admin => filterUsername ? AdminByNameSql : AdminSql,
        _ => filterUsername ? RootByNameSql : RootSql,
    };

    /// <summary>
    /// The whole UTC days inside [start, end] as [From, To) (day starts); From == To == start when there are none, so the
    /// hour-bucket parts then cover the whole range. Only for start &gt; 0 (the flow routes' rule): buckets before 1970
    /// would share day 0's rollup row.
    /// </summary>
    public static (long From, long To) WholeDays(long start, long end)
    {
        if (start <= 0 || end < start) return (start, start);
        var from = start % Day == 0 ? start : start - start % Day + Day;
        var to = end - end % Day;                        // the day holding end is whole only if end is its last second
        if (end % Day == Day - 1) to += Day;
        return to > from ? (from, to) : (start, start);
    }

    public static QuotaFlowRow Read(QuotaFlowScope scope, SqliteDataReader r) => scope switch
    {
        QuotaFlowScope.Self => new QuotaFlowRow
        {
            TokenId = r.Long(0), UseGroup = r.Str(1), ModelName = r.Str(2), Count = r.Long(3), Quota = r.Long(4), TokenUsed = r.Long(5), TokenName = r.Str(6),
        },
        QuotaFlowScope.Admin => new QuotaFlowRow
        {
            UserId = r.Long(0), Username = r.Str(1), UseGroup = r.Str(2), ModelName = r.Str(3), ChannelId = r.Long(4), Count = r.Long(5),
            Quota = r.Long(6), TokenUsed = r.Long(7),
        },
        _ => new QuotaFlowRow
        {
            UserId = r.Long(0), Username = r.Str(1), NodeName = r.Str(2), TokenId = r.Long(3), UseGroup = r.Str(4), ModelName = r.Str(5),
            ChannelId = r.Long(6), Count = r.Long(7), Quota = r.Long(8), TokenUsed = r.Long(9), TokenName = r.Str(10),
        },
    };
}
