using System.Text;

namespace NewApi.Storage.Logs;

/// <summary>Which index leads a query. The order of the members is the order of preference (most selective first).</summary>
public enum LogDriver { RequestId, UpstreamRequestId, TokenName, Username, UserId, Channel, Model, Group, Type, Scan }

/// <summary>
/// WHERE clauses for the logs table and its per-day summary, assembled from constant fragments (the two tables share the
/// filter column names); every value is a parameter. The index that leads each query is named explicitly so plans do not
/// depend on table statistics.
/// </summary>
public static class LogSql
{
    public static (string Where, List<(string, object?)> Args) Conditions(LogFilter f, bool withType = true, bool withRequestIds = true)
    {
        var sql = new StringBuilder();
        var args = new List<(string, object?)>();
        if (withType && f.Type != 0) Add(sql, args, " AND type = $type", "$type", f.Type);
        if (f.UserId is { } uid) Add(sql, args, " AND user_id = $user_id", "$user_id", uid);
        if (f.Username.Length > 0)
            Add(sql, args, f.UsernameLike ? " AND username LIKE $username ESCAPE '!'" : " AND username = $username", "$username", f.Username);
        if (f.TokenName.Length > 0) Add(sql, args, " AND token_name = $token_name", "$token_name", f.TokenName);
        if (f.ModelName.Length > 0)
            Add(sql, args, f.ModelNameLike ? " AND model_name LIKE $model_name ESCAPE '!'" : " AND model_name = $model_name", "$model_name", f.ModelName);
        if (f.ChannelId != 0) Add(sql, args, " AND channel_id = $channel_id", "$channel_id", f.ChannelId);
        if (f.Group.Length > 0) Add(sql, args, " AND \"group\" = $group", "$group", f.Group);
        if (withRequestIds && f.RequestId.Length > 0) Add(sql, args, " AND request_id = $request_id", "$request_id", f.RequestId);
        if (withRequestIds && f.UpstreamRequestId.Length > 0)
            Add(sql, args, " AND upstream_request_id = $upstream_request_id", "$upstream_request_id", f.UpstreamRequestId);
        return (sql.ToString(), args);
    }

    private static void Add(StringBuilder sql, List<(string, object?)> args, string fragment, string name, object value)
    {
        sql.Append(fragment);
        args.Add((name, value));
    }

    /// <summary>Index for reading rows in time order: the most selective exact filter, else the covering scan index.</summary>
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
        : LogDriver.Scan;

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
        _ => " INDEXED BY idx_logs_scan",
    };

    /// <summary>Index of log_daily for the same filter (the primary key, by day, when no narrow filter is given).</summary>
    public static string DailyIndex(LogFilter f) =>
        f.TokenName.Length > 0 ? " INDEXED BY idx_log_daily_token_name"
        : f.Username.Length > 0 && !f.UsernameLike ? " INDEXED BY idx_log_daily_username"
        : f.UserId is not null ? " INDEXED BY idx_log_daily_user_id"
        : f.ChannelId != 0 ? " INDEXED BY idx_log_daily_channel_id"
        : f.ModelName.Length > 0 && !f.ModelNameLike ? " INDEXED BY idx_log_daily_model_name"
        : f.Group.Length > 0 ? " INDEXED BY idx_log_daily_group"
        : "";
}
