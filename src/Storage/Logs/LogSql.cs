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

    /// <summary>log_daily or log_weekly with the index of a narrow filter (one key or user); else read by period in key order.</summary>
    public static string Summary(LogFilter f, bool weekly) =>
        f.TokenName.Length > 0 ? (weekly ? "log_weekly INDEXED BY idx_log_weekly_token_name" : "log_daily INDEXED BY idx_log_daily_token_name")
        : f.Username.Length > 0 && !f.UsernameLike ? (weekly ? "log_weekly INDEXED BY idx_log_weekly_username" : "log_daily INDEXED BY idx_log_daily_username")
        : f.UserId is not null ? (weekly ? "log_weekly INDEXED BY idx_log_weekly_user_id" : "log_daily INDEXED BY idx_log_daily_user_id")
        : weekly ? "log_weekly" : "log_daily";
}
