using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Logs;

/// <summary>
/// Brings the batch writer's consume rows into the partial log indexes (migration 0036), in id order, one chunk per write
/// transaction. Rows below <c>log_index_state.pending_from</c> are indexed; the writer's rows from there on carry
/// <c>pending = 1</c> and are read through the rowid meanwhile (<see cref="LogSql.Sourced"/>). Only the ledger writer
/// inserts such rows and moves the position, on its own turn with the write lock, so a chunk never holds a batch back. The
/// position is stored with each chunk: after a restart (or a crash) the pass continues where its last commit left it.
/// </summary>
public sealed class LogIndexer
{
    private const string IndexSql = """
        UPDATE logs SET pending = 0 WHERE id >= $from AND id < $to AND pending = 1;
        INSERT INTO log_index_state(id, pending_from) VALUES (1, $to) ON CONFLICT(id) DO UPDATE SET pending_from = excluded.pending_from
        """;

    private long _from = 1;   // first row id not yet indexed
    private long _last;       // highest row id written

    /// <summary>Rows from the position to the last one written (an upper bound: ids of other rows are counted too).</summary>
    public long Pending => Math.Max(0, Volatile.Read(ref _last) - Volatile.Read(ref _from) + 1);

    public long PendingFrom => Volatile.Read(ref _from);

    /// <summary>The stored position and the highest row id (at start, before the writer's first batch).</summary>
    public async Task LoadAsync(SqliteConnection conn, CancellationToken ct)
    {
        // Without the stored row (removed by hand) the pass starts over from the first row; the next chunk stores it again.
        Volatile.Write(ref _from, await conn.ScalarLongAsync("SELECT COALESCE((SELECT pending_from FROM log_index_state), 1)", null, ct));
        Volatile.Write(ref _last, await conn.ScalarLongAsync("SELECT COALESCE(max(id), 0) FROM logs", null, ct));
    }

    /// <summary>The writer committed rows up to <paramref name="lastId"/>.</summary>
    public void Wrote(long lastId)
    {
        if (lastId > Volatile.Read(ref _last)) Volatile.Write(ref _last, lastId);
    }

    /// <summary>
    /// Indexes up to <paramref name="max"/> rows from the position inside the caller's write transaction and moves the stored
    /// position; returns the new position, for <see cref="Advanced"/> once the transaction committed.
    /// </summary>
    public async Task<long> IndexAsync(SqliteConnection conn, SqliteTransaction tx, long max, CancellationToken ct)
    {
        var from = PendingFrom;
        var to = Math.Min(from + Math.Max(1, max), Volatile.Read(ref _last) + 1);
        if (to <= from) return from;
        await conn.ExecuteAsync(IndexSql, tx, ct, ("$from", from), ("$to", to));
        return to;
    }

    /// <summary>The transaction of <see cref="IndexAsync"/> committed.</summary>
    public void Advanced(long to)
    {
        if (to > PendingFrom) Volatile.Write(ref _from, to);
    }
}
