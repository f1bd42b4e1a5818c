using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Logs;

/// <summary>Writes single management/system log rows. Relay consume rows go through Billing's batched writer.</summary>
public sealed class LogRepository(SqliteDb db)
{
    // created_at < target, oldest first through (created_at, id); the summary triggers subtract every deleted row.
    private const string DeleteBatchSql = """
        DELETE FROM logs WHERE id IN (SELECT id FROM logs INDEXED BY idx_logs_created_at_id WHERE created_at < $t ORDER BY created_at LIMIT $n)
        """;

    private const string PruneSummarySql = """
        DELETE FROM log_daily WHERE day <= $d AND rows = 0;
        DELETE FROM log_daily_type WHERE day <= $d AND rows = 0;
        DELETE FROM log_weekly WHERE week <= $d AND rows = 0
        """;

    public async Task InsertAsync(LogRow row, CancellationToken ct = default) =>
        await db.WriteAsync((conn, tx) => InsertAsync(conn, tx, row, ct), ct);

    /// <summary>Inserts one row and adds it to the log summaries, inside the caller's transaction.</summary>
    public static async Task<int> InsertAsync(SqliteConnection conn, SqliteTransaction tx, LogRow row, CancellationToken ct)
    {
        using (var insert = new LogInsertStatement(conn)) insert.Insert(row);   // the same insert as the batch writer's
        var summaries = new LogSummaries();
        summaries.Add(row);
        await summaries.ApplyAsync(conn, tx, ct);
        return 1;
    }

    /// <summary>
    /// Deletes every row with created_at &lt; <paramref name="target"/>, <paramref name="batchSize"/> rows per write
    /// transaction so other writers (the relay's log writer) get the lock between batches. Returns the number deleted.
    /// </summary>
    public async Task<long> DeleteBeforeAsync(long target, int batchSize, CancellationToken ct = default)
    {
        long total = 0;
        while (true)
        {
            var n = await db.WriteAsync((conn, tx) => conn.ExecuteAsync(DeleteBatchSql, tx, ct, ("$t", target), ("$n", batchSize)), ct);
            total += n;
            if (n < batchSize) break;
        }
        if (total > 0)
            await db.WriteAsync((conn, tx) => conn.ExecuteAsync(PruneSummarySql, tx, ct, ("$d", LogTimeRange.FloorDay(target))), ct);
        return total;
    }
}
