using Microsoft.Data.Sqlite;

namespace NewApi.Storage.QuotaData;

/// <summary>
/// The three flow aggregations (constant SQL per scope). Only buckets with a group count, as in New API. Token names come
/// from live tokens only: a deleted token keeps its id and an empty name, which the console shows as "deleted".
/// </summary>
internal static class QuotaFlowSql
{
    private const string Where = " FROM quota_data INDEXED BY idx_quota_data_created_user WHERE use_group <> '' AND created_at >= $s AND created_at <= $e";

    // One user's buckets: start from the user, not from every bucket in the range.
    private const string SelfWhere = " FROM quota_data INDEXED BY idx_quota_data_user_created WHERE user_id = $u AND created_at >= $s AND created_at <= $e AND use_group <> ''";
    private const string Sums = "sum(count) AS c, sum(quota) AS q, sum(token_used) AS t";
    private const string TokenName = "COALESCE((SELECT name FROM tokens WHERE id = g.token_id AND deleted_at IS NULL), '')";

    private const string SelfSql = "SELECT g.token_id, g.use_group, g.model_name, g.c, g.q, g.t, " + TokenName
        + " FROM (SELECT token_id, use_group, model_name, " + Sums + SelfWhere
        + " GROUP BY token_id, use_group, model_name) g ORDER BY g.q DESC, g.token_id, g.use_group, g.model_name";

    private const string AdminGroup = " GROUP BY user_id, username, use_group, model_name, channel_id) g"
        + " ORDER BY g.q DESC, g.user_id, g.username, g.use_group, g.model_name, g.channel_id";
    private const string AdminSelect = "SELECT g.user_id, g.username, g.use_group, g.model_name, g.channel_id, g.c, g.q, g.t"
        + " FROM (SELECT user_id, username, use_group, model_name, channel_id, " + Sums + Where;
    private const string AdminSql = AdminSelect + AdminGroup;
    private const string AdminByNameSql = AdminSelect + " AND username = $n" + AdminGroup;

    private const string RootGroup = " GROUP BY user_id, username, node_name, token_id, use_group, model_name, channel_id) g"
        + " ORDER BY g.q DESC, g.user_id, g.username, g.node_name, g.token_id, g.use_group, g.model_name, g.channel_id";
    private const string RootSelect = "SELECT g.user_id, g.username, g.node_name, g.token_id, g.use_group, g.model_name, g.channel_id, g.c, g.q, g.t, "
        + TokenName + " FROM (SELECT user_id, username, node_name, token_id, use_group, model_name, channel_id, " + Sums + Where;
    private const string RootSql = RootSelect + RootGroup;
    private const string RootByNameSql = RootSelect + " AND username = $n" + RootGroup;

    public static string For(QuotaFlowScope scope, bool filterUsername) => scope switch
    {
        QuotaFlowScope.Self => SelfSql,
        QuotaFlowScope.Admin => filterUsername ? AdminByNameSql : AdminSql,
        _ => filterUsername ? RootByNameSql : RootSql,
    };

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
