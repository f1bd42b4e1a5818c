using Microsoft.Data.Sqlite;
using NewApi.Storage;
using NewApi.Storage.Logs;

namespace NewApi.Billing.Ledger;

/// <summary>
/// One batch of queued operations folded into per-row deltas, then written in ONE transaction: user quota /
/// used_quota / request_count, token remain / used, channel used_quota, consume logs, quota_data buckets and the
/// deletion of the reservations settled or released. A crash therefore keeps both the charge and the reservation,
/// or neither.
/// </summary>
internal sealed class LedgerBatch
{
    private readonly Dictionary<long, (long Quota, long Used, long Requests)> _users = [];
    private readonly Dictionary<long, (long Remain, long Used)> _tokens = [];
    private readonly Dictionary<long, long> _channels = [];
    private readonly Dictionary<BucketKey, (string Username, long Tokens, long Count, long Quota)> _buckets = [];
    private readonly LogArena _logs = new();
    private readonly List<long> _reservations = [];
    private readonly LogSummaries _summaries = new();

    public readonly record struct Settings(bool WriteLogs, bool ExportData, string NodeName);

    private readonly record struct BucketKey(long UserId, string Model, long Hour, string Group, long TokenId, long ChannelId);

    /// <summary>Consume rows in the batch.</summary>
    public int LogCount => _logs.Count;

    /// <summary>The id of the batch's last consume row once committed (0 without rows); they wait for <see cref="LogIndexer"/>.</summary>
    public long LastLogId { get; private set; }

    public bool IsEmpty => _users.Count == 0 && _tokens.Count == 0 && _channels.Count == 0 && _logs.Count == 0 && _reservations.Count == 0
                           && _buckets.Count == 0;

    public void Clear()
    {
        _users.Clear();
        _tokens.Clear();
        _channels.Clear();
        _buckets.Clear();
        _logs.Clear();
        _reservations.Clear();
        _summaries.Clear();
        LastLogId = 0;
    }

    public void AddSettlement(Settlement s, Settings settings)
    {
        var hold = s.Hold;
        var delta = hold.Amount - s.Quota;   // > 0 gives back part of the hold, < 0 charges beyond it
        AddUser(hold.UserId, delta, s.Quota, 1);
        if (hold.TokenId != 0) AddToken(hold.TokenId, hold.TokenTracked ? delta : 0, s.Quota);
        if (s.ChannelId != 0) _channels[s.ChannelId] = _channels.GetValueOrDefault(s.ChannelId) + s.Quota;
        if (hold.Reserved) _reservations.Add(hold.ReservationId);
        if (settings.WriteLogs)
        {
            _logs.Add(s.Log);
            _summaries.Add(s.Log);
        }
        if (settings.ExportData) AddBucket(s.Log);
    }

    public void AddRelease(Hold hold)
    {
        AddUser(hold.UserId, hold.Amount, 0, 0);
        if (hold.TokenId != 0 && hold.TokenTracked) AddToken(hold.TokenId, hold.Amount, 0);
        if (hold.Reserved) _reservations.Add(hold.ReservationId);
    }

    private void AddUser(long id, long quota, long used, long requests)
    {
        var cur = _users.GetValueOrDefault(id);
        _users[id] = (cur.Quota + quota, cur.Used + used, cur.Requests + requests);
    }

    private void AddToken(long id, long remain, long used)
    {
        var cur = _tokens.GetValueOrDefault(id);
        _tokens[id] = (cur.Remain + remain, cur.Used + used);
    }

    private void AddBucket(LogRow log)
    {
        var key = new BucketKey(log.UserId, log.ModelName, log.CreatedAt - log.CreatedAt % 3600, log.Group, log.TokenId, log.ChannelId);
        var cur = _buckets.GetValueOrDefault(key);
        _buckets[key] = (log.Username, cur.Tokens + log.PromptTokens + log.CompletionTokens, cur.Count + 1, cur.Quota + log.Quota);
    }

    /// <summary>Writes the batch; returns the balances the database holds afterwards, for the in-memory book.</summary>
    public async Task<(List<(long Id, long Quota)> Users, List<(long Id, long Remain)> Tokens)> CommitAsync(
        SqliteConnection conn, SqliteTransaction tx, long now, string nodeName, CancellationToken ct)
    {
        var users = new List<(long, long)>(_users.Count);
        foreach (var (id, d) in _users)
            if (await conn.ScalarNullableLongAsync(LedgerSql.ApplyUser, tx, ct, ("$q", d.Quota), ("$used", d.Used), ("$n", d.Requests), ("$id", id)) is { } q)
                users.Add((id, q));
        var tokens = new List<(long, long)>(_tokens.Count);
        foreach (var (id, d) in _tokens)
            if (await conn.ScalarNullableLongAsync(now > 0 ? LedgerSql.ApplyToken : LedgerSql.RefundToken, tx, ct, ("$q", d.Remain), ("$used", d.Used),
                    ("$now", now), ("$id", id)) is { } r)
                tokens.Add((id, r));
        foreach (var (id, used) in _channels)
            await conn.ExecuteAsync(LedgerSql.ApplyChannel, tx, ct, ("$used", used), ("$id", id));
        await InsertLogsAsync(conn, tx, ct);
        foreach (var (k, v) in _buckets)
            await conn.ExecuteAsync(LedgerSql.UpsertQuotaData, tx, ct, ("$u", k.UserId), ("$name", v.Username), ("$model", k.Model), ("$at", k.Hour),
                ("$g", k.Group), ("$t", k.TokenId), ("$c", k.ChannelId), ("$node", nodeName), ("$used", v.Tokens), ("$n", v.Count), ("$q", v.Quota));
        foreach (var id in _reservations)
            await conn.ExecuteAsync(LedgerSql.DeleteReservation, tx, ct, ("$id", id));
        return (users, tokens);
    }

    /// <summary>Rows inserted between two offers of the CPU (~0.5 ms of work).</summary>
    internal const int YieldEvery = 64;

    /// <summary>One prepared statement, rebound per row: a batch of thousands of rows compiles it once. The summaries
    /// were folded as the rows came in; a retried commit writes the same rows and deltas again.</summary>
    private async Task InsertLogsAsync(SqliteConnection conn, SqliteTransaction tx, CancellationToken ct)
    {
        if (_logs.Count == 0) return;
        using (var insert = new LogInsertStatement(conn, pending: true))
        {
            insert.InsertAll(_logs, YieldEvery);
            LastLogId = insert.LastId;
        }
        await _summaries.ApplyAsync(conn, tx, ct);
    }
}
