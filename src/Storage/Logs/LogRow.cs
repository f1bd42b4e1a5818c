using Microsoft.Data.Sqlite;
using NewApi.Common;

namespace NewApi.Storage.Logs;

public sealed record LogRow
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public long CreatedAt { get; init; }
    public LogType Type { get; init; }
    public string Content { get; init; } = "";
    public string Username { get; init; } = "";
    public string TokenName { get; init; } = "";
    public string ModelName { get; init; } = "";
    public long Quota { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long UseTime { get; init; }
    public bool IsStream { get; init; }
    public long ChannelId { get; init; }
    public long TokenId { get; init; }
    public string Group { get; init; } = "";
    public string Ip { get; init; } = "";
    public string RequestId { get; init; } = "";
    public string UpstreamRequestId { get; init; } = "";
    private string? _other;
    /// <summary>The <c>other</c> JSON; decoded on first read when the row was built as <see cref="OtherUtf8"/>.</summary>
    public string Other { get => _other ??= OtherUtf8 is null ? "" : System.Text.Encoding.UTF8.GetString(OtherUtf8); init => _other = value; }
    /// <summary><c>other</c> as the UTF-8 bytes it is written as (relay consume rows): half the size of the string, and the
    /// batch writer copies it instead of encoding it again.</summary>
    public byte[]? OtherUtf8 { get; init; }

    public const string Columns = """
        id, user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens,
        use_time, is_stream, channel_id, token_id, "group", ip, request_id, upstream_request_id, other
        """;

    public const string InsertSql = """
        INSERT INTO logs(user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens,
            use_time, is_stream, channel_id, token_id, "group", ip, request_id, upstream_request_id, other)
        VALUES ($user_id, $created_at, $type, $content, $username, $token_name, $model_name, $quota, $prompt_tokens, $completion_tokens,
            $use_time, $is_stream, $channel_id, $token_id, $group, $ip, $request_id, $upstream_request_id, $other)
        """;

    /// <summary>The batch writer's insert: the row waits outside the partial log indexes until <see cref="LogIndexer"/>
    /// reaches it (migration 0036).</summary>
    public const string InsertPendingSql = """
        INSERT INTO logs(user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens,
            use_time, is_stream, channel_id, token_id, "group", ip, request_id, upstream_request_id, other, pending)
        VALUES ($user_id, $created_at, $type, $content, $username, $token_name, $model_name, $quota, $prompt_tokens, $completion_tokens,
            $use_time, $is_stream, $channel_id, $token_id, $group, $ip, $request_id, $upstream_request_id, $other, 1)
        """;

    public static LogRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), UserId = r.Long(1), CreatedAt = r.Long(2), Type = (LogType)r.Int(3), Content = r.Str(4), Username = r.Str(5),
        TokenName = r.Str(6), ModelName = r.Str(7), Quota = r.Long(8), PromptTokens = r.Long(9), CompletionTokens = r.Long(10),
        UseTime = r.Long(11), IsStream = r.Bool(12), ChannelId = r.Long(13), TokenId = r.Long(14), Group = r.Str(15), Ip = r.Str(16),
        RequestId = r.Str(17), UpstreamRequestId = r.Str(18), Other = r.Str(19),
    };
}
