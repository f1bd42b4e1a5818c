using Microsoft.Data.Sqlite;
using NewApi.Storage.Logs;

namespace NewApi.Storage.QuotaData;

/// <summary>Which keys a flow aggregation groups by: New API gives root, admins and users different views.</summary>
public enum QuotaFlowScope { Self, Admin, Root }

/// <summary>
/// The quota_data table behind the console dashboard (/api/data/*). Reads aggregate hour buckets inside an inclusive
/// [start, end] range (New API's literal bounds: zero means zero); <see cref="AddAsync"/> is the additive upsert the relay's
/// aggregator flushes into.
/// </summary>
public sealed class QuotaDataRepository(SqliteDb db)
{
    private const string Range = " WHERE created_at >= $s AND created_at <= $e";

    // The (hour, model) rollup kept by triggers holds exactly New API's GROUP BY model_name, created_at.
    private const string ByModelSql = "SELECT model_name, created_at, count, quota, token_used FROM quota_data_model_hour"
        + Range + " AND rows > 0 ORDER BY created_at, model_name";

    private const string UserModelColumns = "SELECT user_id, username, model_name, created_at, sum(count), sum(quota), sum(token_used) FROM quota_data";
    private const string UserModelGroup = " GROUP BY user_id, username, model_name, created_at ORDER BY created_at, model_name, user_id, username";

    private const string ByUsernameSql = UserModelColumns + " INDEXED BY idx_quota_data_username_created" + Range + " AND username = $n" + UserModelGroup;
    private const string ByUserIdSql = UserModelColumns + " INDEXED BY idx_quota_data_user_created" + Range + " AND user_id = $u" + UserModelGroup;

    // The (hour, username) rollup kept by triggers holds exactly New API's GROUP BY username, created_at.
    private const string PerUserSql = "SELECT username, created_at, count, quota, token_used FROM quota_data_user_hour"
        + Range + " AND rows > 0 ORDER BY created_at, username";

    private const string UpsertSql = """
        INSERT INTO quota_data(user_id, username, model_name, created_at, use_group, token_id, channel_id, node_name, token_used, count, quota)
        VALUES ($user_id, $username, $model_name, $created_at, $use_group, $token_id, $channel_id, $node_name, $token_used, $count, $quota)
        ON CONFLICT(user_id, model_name, created_at, use_group, token_id, channel_id, node_name) DO UPDATE SET
            username = excluded.username, token_used = token_used + excluded.token_used, count = count + excluded.count,
            quota = quota + excluded.quota
        """;

    // The rollups' columns are NOT NULL, so their rows are read without a null check per column: each check is one more
    // native call, and a month of /users is ~275 000 rows.

    /// <summary>GET /api/data/ without username: per (model, hour).</summary>
    public Task<List<QuotaDataRow>> ByModelAsync(long start, long end, CancellationToken ct = default) =>
        QueryAsync(ByModelSql, r => new QuotaDataRow { ModelName = r.GetString(0), CreatedAt = r.GetInt64(1), Count = r.GetInt64(2), Quota = r.GetInt64(3), TokenUsed = r.GetInt64(4) },
            ct, ("$s", start), ("$e", end));

    /// <summary>GET /api/data/?username=: per (user, model, hour) for that username.</summary>
    public Task<List<QuotaDataRow>> ByUsernameAsync(string username, long start, long end, CancellationToken ct = default) =>
        QueryAsync(ByUsernameSql, ReadUserModel, ct, ("$s", start), ("$e", end), ("$n", username));

    /// <summary>GET /api/data/self: per (model, hour) for one user id.</summary>
    public Task<List<QuotaDataRow>> ByUserIdAsync(long userId, long start, long end, CancellationToken ct = default) =>
        QueryAsync(ByUserIdSql, ReadUserModel, ct, ("$s", start), ("$e", end), ("$u", userId));

    /// <summary>GET /api/data/users: per (username, hour).</summary>
    public Task<List<QuotaDataRow>> PerUserAsync(long start, long end, CancellationToken ct = default) =>
        QueryAsync(PerUserSql, r => new QuotaDataRow { Username = r.GetString(0), CreatedAt = r.GetInt64(1), Count = r.GetInt64(2), Quota = r.GetInt64(3), TokenUsed = r.GetInt64(4) },
            ct, ("$s", start), ("$e", end));

    /// <summary>GET /api/data/flow[/self]: grouped buckets with a group set, biggest quota first.</summary>
    public Task<List<QuotaFlowRow>> FlowAsync(QuotaFlowScope scope, long start, long end, string username, long userId, CancellationToken ct = default)
    {
        var sql = QuotaFlowSql.For(scope, filterUsername: scope != QuotaFlowScope.Self && username.Length > 0);
        var (days, daysEnd) = QuotaFlowSql.WholeDays(start, end);
        return QueryAsync(sql, r => QuotaFlowSql.Read(scope, r), ct, ("$s", start), ("$e", end), ("$ds", days), ("$de", daysEnd),
            ("$n", username), ("$u", userId));
    }

    /// <summary>Adds buckets onto their rows (creating them when new), inside the caller's write transaction.</summary>
    public static async Task AddAsync(SqliteConnection conn, SqliteTransaction tx, IEnumerable<QuotaDataRow> buckets, CancellationToken ct)
    {
        foreach (var b in buckets)
            await conn.ExecuteAsync(UpsertSql, tx, ct, ("$user_id", b.UserId), ("$username", b.Username), ("$model_name", b.ModelName),
                ("$created_at", QuotaDataRow.HourOf(b.CreatedAt)), ("$use_group", b.UseGroup), ("$token_id", b.TokenId),
                ("$channel_id", b.ChannelId), ("$node_name", b.NodeName), ("$token_used", b.TokenUsed), ("$count", b.Count), ("$quota", b.Quota));
    }

    public Task AddAsync(IReadOnlyCollection<QuotaDataRow> buckets, CancellationToken ct = default) =>
        db.WriteAsync((conn, tx) => AddAsync(conn, tx, buckets, ct), ct);

    private static QuotaDataRow ReadUserModel(SqliteDataReader r) => new()
    {
        UserId = r.Long(0), Username = r.Str(1), ModelName = r.Str(2), CreatedAt = r.Long(3), Count = r.Long(4), Quota = r.Long(5), TokenUsed = r.Long(6),
    };

    private async Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken ct, params (string, object?)[] args)
    {
        await using var conn = await LogReadConnection.OpenAsync(db, ct);
        return await conn.QueryAsync(sql, null, map, ct, args);
    }
}
