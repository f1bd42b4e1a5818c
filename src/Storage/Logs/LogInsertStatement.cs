using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace NewApi.Storage.Logs;

/// <summary>
/// <see cref="LogRow.InsertSql"/> (or, for the batch writer, <see cref="LogRow.InsertPendingSql"/>) prepared once on a connection and rebound per row through SQLite's own bind calls:
/// the batch writer inserts thousands of rows a second, and the ADO.NET parameter path allocated a binder per value.
/// Runs inside the caller's transaction on the same connection.
/// </summary>
public sealed class LogInsertStatement : IDisposable
{
    private static readonly string[] Names =
    [
        "$user_id", "$created_at", "$type", "$content", "$username", "$token_name", "$model_name", "$quota", "$prompt_tokens",
        "$completion_tokens", "$use_time", "$is_stream", "$channel_id", "$token_id", "$group", "$ip", "$request_id",
        "$upstream_request_id", "$other",
    ];

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;
    private readonly int[] _index = new int[Names.Length];

    /// <param name="pending">Leave the rows outside the partial log indexes for <see cref="LogIndexer"/> (the batch writer);
    /// single rows written elsewhere are indexed at once.</param>
    public LogInsertStatement(SqliteConnection conn, bool pending = false)
    {
        _db = conn.Handle ?? throw new InvalidOperationException("connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, pending ? LogRow.InsertPendingSql : LogRow.InsertSql, out _stmt));
        for (var i = 0; i < Names.Length; i++)
        {
            _index[i] = raw.sqlite3_bind_parameter_index(_stmt, Names[i]);
            if (_index[i] == 0) throw new InvalidOperationException($"log insert has no parameter {Names[i]}");
        }
    }

    /// <summary>One row, through the same field order and binding as a batch (<see cref="InsertAll"/>).</summary>
    public void Insert(LogRow r)
    {
        var one = new LogArena();
        try
        {
            one.Add(r);
            InsertAll(one, int.MaxValue);
        }
        finally
        {
            one.Clear();
        }
    }

    /// <summary>
    /// Inserts every row of <paramref name="rows"/>; every <paramref name="yieldEvery"/> rows the thread offers the CPU,
    /// so a relay thread woken on this core waits a fraction of a millisecond, not a scheduler tick.
    /// </summary>
    public void InsertAll(LogArena rows, int yieldEvery)
    {
        var n = 0;
        foreach (var chunk in rows.Chunks())
        {
            var reader = new LogArena.Reader(chunk.Span);
            while (reader.Position < chunk.Length)
            {
                for (var i = 0; i < LogArena.Fields; i++)
                    if (LogArena.IsText(i)) Check(raw.sqlite3_bind_text(_stmt, _index[i], reader.Text()));
                    else Long(i, reader.Long());
                Step();
                if (++n % yieldEvery == 0) Thread.Yield();
            }
        }
    }

    /// <summary>The rowid of the last row this connection inserted.</summary>
    public long LastId => raw.sqlite3_last_insert_rowid(_db);

    private void Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE) Check(rc);
    }

    private void Long(int i, long v) => Check(raw.sqlite3_bind_int64(_stmt, _index[i], v));

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _stmt.Dispose();
}
