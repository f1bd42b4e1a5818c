using System.Text;

namespace NewApi.Storage.Logs;

/// <summary>Which index leads a query. The order of the members is the order of preference (most selective first).</summary>
public enum LogDriver { RequestId, UpstreamRequestId, TokenName, Username, UserId, Channel, Model, Group, Type, Scan, Time }

/// <summary>
/// WHERE clauses for the logs table and its per-day summary, assembled from constant fragments (the two tables share the
/// filter column names); every value is a parameter. The index that leads each query is named explicitly so plans do not
/// depend on table statistics.
/// </summary>
public static class LogSql
{
    /// <summary>
    /// The filter as " AND …" conditions. For the summaries (<paramref name="summary"/>) the broad columns are written
    /// <c>+column</c>, which keeps SQLite from reading them through an index: most summary rows match a broad value, and
    /// reading them in key order by day is several times cheaper than an index walk with a lookup per row.
    /// </summary>
    public static (string Where, List<(string, object?)> Args) Conditions(LogFilter f, bool withType = true, bool withRequestIds = true,
        bool summary = false)
    {
        var sql = new StringBuilder();
        var args = new List<(string, object?)>();
        if (withType && f.Type != 0) Add(sql, args, summary ? " AND +type = $type" : " AND type = $type", "$type", f.Type);
        if (f.UserId is { } uid) Add(sql, args, " AND user_id = $user_id", "$user_id", uid);
        if (f.Username.Length > 0)
            Add(sql, args, f.UsernameLike ? " AND username LIKE $username ESCAPE '!'" : " AND username = $username", "$username", f.Username);
        if (f.TokenName.Length > 0) Add(sql, args, " AND token_name = $token_name", "$token_name", f.TokenName);
        if (f.ModelName.Length > 0)
            Add(sql, args, f.ModelNameLike ? " AND model_name LIKE $model_name ESCAPE '!'"
                : summary ? " AND +model_name = $model_name" : " AND model_name = $model_name", "$model_name", f.ModelName);
        if (f.ChannelId != 0) Add(sql, args, summary ? " AND +channel_id = $channel_id" : " AND channel_id = $channel_id", "$channel_id", f.ChannelId);
        if (f.Group.Length > 0) Add(sql, args, summary ? " AND +\"group\" = $group" : " AND \"group\" = $group", "$group", f.Group);
        if (withRequestIds && f.RequestId.Length > 0) Add(sql, args, " AND request_id = $request_id", "$request_id", f.RequestId);
        if (withRequestIds && f.UpstreamRequestId.Length > 0)
        {
            Add(sql, args, " AND upstream_request_id = $upstream_request_id", "$upstream_request_id", f.UpstreamRequestId);
            sql.Append(" AND upstream_request_id <> ''");   // the partial index holds only rows with an id (migration 0035)
        }
        return (sql.ToString(), args);
    }

    private static void Add(StringBuilder sql, List<(string, object?)> args, string fragment, string name, object value)
    {
        sql.Append(fragment);
        args.Add((name, value));
    }

    /// <summary>
    /// Index for reading rows in time order: the most selective exact filter; else the covering index when a LIKE filter
    /// must be checked (it holds every filter column); with no filter at all, (created_at, id), which is already in page order.
    /// </summary>
    public static LogDriver PageDriver(LogFilter f) =>
        f.RequestId.Length > 0 ? LogDriver.RequestId
        : f.UpstreamRequestId.Length > 0 ? LogDriver.UpstreamRequestId
        : f.TokenName.Length > 0 ? LogDriver.TokenName
        : f.Username.Length > 0 && !f.UsernameLike ? LogDriver.Username
        : f.UserId is not null ? LogDriver.UserId
        : f.ChannelId != 0 ? LogDriver.Channel
        : f.ModelName.Length > 0 && !f.ModelNameLike ? LogDriver.Model
        : f.Group.Length > 0 ? LogDriver.Group
        : f.Type != 0 ? LogDriver.Type
        : f.Username.Length > 0 || f.ModelName.Length > 0 ? LogDriver.Scan
        : LogDriver.Time;

    /// <summary>
    /// Index for counting and summing at most two partial days: a narrow filter's index when one is given (few rows), else
    /// the covering index, which answers every filter without reading the rows.
    /// </summary>
    public static LogDriver AggregateDriver(LogFilter f)
    {
        var page = PageDriver(f);
        return page <= LogDriver.UserId ? page : LogDriver.Scan;
    }

    public static string LogsIndex(LogDriver d) => d switch
    {
        LogDriver.RequestId => " INDEXED BY idx_logs_request_id",
        LogDriver.UpstreamRequestId => " INDEXED BY idx_logs_upstream_request_id",
        LogDriver.TokenName => " INDEXED BY idx_logs_token_name_created",
        LogDriver.Username => " INDEXED BY idx_logs_username_created",
        LogDriver.UserId => " INDEXED BY idx_logs_user_id_created",
        LogDriver.Channel => " INDEXED BY idx_logs_channel_id_created",
        LogDriver.Model => " INDEXED BY idx_logs_model_name_created",
        LogDriver.Group => " INDEXED BY idx_logs_group_created",
        LogDriver.Type => " INDEXED BY idx_logs_type_created",
        LogDriver.Time => " INDEXED BY idx_logs_created_at_id",
        _ => " INDEXED BY idx_logs_scan",
    };

    /// <summary>Rows still waiting for <see cref="LogIndexer"/> (migration 0036): from the stored position on, by rowid; read in
    /// the same statement, so in the same snapshot, as the indexed rows.</summary>
    private const string PendingRows = " FROM logs NOT INDEXED WHERE id >= COALESCE((SELECT pending_from FROM log_index_state), 1) AND pending = 1 AND ";

    /// <summary>
    /// SELECT <paramref name="columns"/> of every row matching <paramref name="conditions"/>, led by <paramref name="d"/>'s index.
    /// Every index but (created_at, id) is partial and holds the indexed rows only, so the rows written since the indexer's
    /// position are added through the rowid (UNION ALL: the two parts never share a row).
    /// </summary>
    public static string Sourced(LogDriver d, string columns, string conditions) =>
        d == LogDriver.Time
            ? "SELECT " + columns + " FROM logs" + LogsIndex(d) + " WHERE " + conditions
            : "SELECT " + columns + " FROM logs" + LogsIndex(d) + " WHERE pending = 0 AND " + conditions
              + " UNION ALL SELECT " + columns + PendingRows + conditions;

    /// <summary>The ids of one page, newest first: both parts of <see cref="Sourced"/> merged in (created_at, id) order, each
    /// read in that order (the indexed part straight from its index), stopping at the page's end.</summary>
    public static string PageIds(LogDriver d, string conditions) =>
        d == LogDriver.Time
            ? Sourced(d, "id", conditions) + " ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset"
            : "SELECT id FROM (" + Sourced(d, "id, created_at", conditions) + " ORDER BY 2 DESC, 1 DESC LIMIT $limit OFFSET $offset)";

    /// <summary>The latest rows of one token, newest first.</summary>
    public const string LatestForToken = "SELECT " + LogRow.Columns + " FROM logs INDEXED BY idx_logs_token_id WHERE pending = 0 AND token_id = $t"
        + " UNION ALL SELECT " + LogRow.Columns + PendingRows + "token_id = $t ORDER BY id DESC LIMIT $l";

    /// <summary>log_daily or log_weekly with the index of a narrow filter (one key or user); else read by period in key order.</summary>
    public static string Summary(LogFilter f, bool weekly) =>
        f.TokenName.Length > 0 ? (weekly ? "log_weekly INDEXED BY idx_log_weekly_token_name" : "log_daily INDEXED BY idx_log_daily_token_name")
        : f.Username.Length > 0 && !f.UsernameLike ? (weekly ? "log_weekly INDEXED BY idx_log_weekly_username" : "log_daily INDEXED BY idx_log_daily_username")
        : f.UserId is not null ? (weekly ? "log_weekly INDEXED BY idx_log_weekly_user_id" : "log_daily INDEXED BY idx_log_daily_user_id")
        : weekly ? "log_weekly" : "log_daily";
}
