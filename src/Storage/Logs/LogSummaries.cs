using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Logs;

/// <summary>
/// Keeps the per-day, per-week and per-(day, type) log summaries exact for rows the application inserts: the deltas of
/// a whole batch are folded in memory and written as one upsert per distinct summary row, in the same transaction as
/// the log rows. (An insert trigger did this per row before; a trigger makes SQLite open a statement journal for every
/// insert, which copied each of the ~20 pages a log row touches to a temp file.) Deletes and updates of log rows still
/// adjust the summaries through their triggers.
/// </summary>
public sealed class LogSummaries
{
    private readonly record struct Key(long Period, int Type, long UserId, string Username, string TokenName, string ModelName, long ChannelId, string Group);

    private readonly record struct Sums(long Rows, long Quota, long Prompt, long Completion)
    {
        public Sums Add(LogRow r) => new(Rows + 1, Quota + r.Quota, Prompt + r.PromptTokens, Completion + r.CompletionTokens);
    }

    private const string DailySql = """
        INSERT INTO log_daily(day, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
        VALUES ($p, $type, $u, $name, $token, $model, $c, $g, $rows, $q, $pt, $ct)
        ON CONFLICT DO UPDATE SET rows = rows + excluded.rows, quota = quota + excluded.quota,
            prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens
        """;

    private const string WeeklySql = """
        INSERT INTO log_weekly(week, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
        VALUES ($p, $type, $u, $name, $token, $model, $c, $g, $rows, $q, $pt, $ct)
        ON CONFLICT DO UPDATE SET rows = rows + excluded.rows, quota = quota + excluded.quota,
            prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens
        """;

    private const string DailyTypeSql = """
        INSERT INTO log_daily_type(day, type, rows, quota, prompt_tokens, completion_tokens)
        VALUES ($p, $type, $rows, $q, $pt, $ct)
        ON CONFLICT DO UPDATE SET rows = rows + excluded.rows, quota = quota + excluded.quota,
            prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens
        """;

    private readonly Dictionary<Key, Sums> _daily = [];
    private readonly Dictionary<Key, Sums> _weekly = [];
    private readonly Dictionary<(long Day, int Type), Sums> _dailyType = [];

    public bool IsEmpty => _daily.Count == 0;

    public void Add(LogRow r)
    {
        var type = (int)r.Type;
        var day = r.CreatedAt - r.CreatedAt % 86400;   // as the delete/update triggers compute it
        var daily = new Key(day, type, r.UserId, r.Username, r.TokenName, r.ModelName, r.ChannelId, r.Group);
        _daily[daily] = _daily.GetValueOrDefault(daily).Add(r);
        var weekly = daily with { Period = r.CreatedAt - r.CreatedAt % 604800 };
        _weekly[weekly] = _weekly.GetValueOrDefault(weekly).Add(r);
        _dailyType[(day, type)] = _dailyType.GetValueOrDefault((day, type)).Add(r);
    }

    public void Clear()
    {
        _daily.Clear();
        _weekly.Clear();
        _dailyType.Clear();
    }

    /// <summary>Writes the folded deltas inside the caller's transaction (the one that inserted the rows). They stay until
    /// <see cref="Clear"/>: a commit that failed is retried with the same deltas.</summary>
    public async Task ApplyAsync(SqliteConnection conn, SqliteTransaction tx, CancellationToken ct)
    {
        await WriteAsync(conn, tx, DailySql, _daily, ct);
        await WriteAsync(conn, tx, WeeklySql, _weekly, ct);
        if (_dailyType.Count > 0)
        {
            await using var cmd = conn.Command(DailyTypeSql, tx, ("$p", 0L), ("$type", 0), ("$rows", 0L), ("$q", 0L), ("$pt", 0L), ("$ct", 0L));
            foreach (var ((day, type), s) in _dailyType)
            {
                cmd.Parameters["$p"].Value = day;
                cmd.Parameters["$type"].Value = type;
                SetSums(cmd, s);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
    }

    private static async Task WriteAsync(SqliteConnection conn, SqliteTransaction tx, string sql, Dictionary<Key, Sums> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var cmd = conn.Command(sql, tx, ("$p", 0L), ("$type", 0), ("$u", 0L), ("$name", ""), ("$token", ""), ("$model", ""),
            ("$c", 0L), ("$g", ""), ("$rows", 0L), ("$q", 0L), ("$pt", 0L), ("$ct", 0L));
        foreach (var (k, s) in rows)
        {
            cmd.Parameters["$p"].Value = k.Period;
            cmd.Parameters["$type"].Value = k.Type;
            cmd.Parameters["$u"].Value = k.UserId;
            cmd.Parameters["$name"].Value = k.Username;
            cmd.Parameters["$token"].Value = k.TokenName;
            cmd.Parameters["$model"].Value = k.ModelName;
            cmd.Parameters["$c"].Value = k.ChannelId;
            cmd.Parameters["$g"].Value = k.Group;
            SetSums(cmd, s);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static void SetSums(SqliteCommand cmd, Sums s)
    {
        cmd.Parameters["$rows"].Value = s.Rows;
        cmd.Parameters["$q"].Value = s.Quota;
        cmd.Parameters["$pt"].Value = s.Prompt;
        cmd.Parameters["$ct"].Value = s.Completion;
    }
}
