using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Logs;

/// <summary>Writes single management/system log rows. Relay consume rows go through Billing's batched writer.</summary>
public sealed class LogRepository(SqliteDb db)
{
    public async Task InsertAsync(LogRow row, CancellationToken ct = default) =>
        await db.WriteAsync((conn, tx) => InsertAsync(conn, tx, row, ct), ct);

    public static Task<int> InsertAsync(SqliteConnection conn, SqliteTransaction tx, LogRow row, CancellationToken ct) =>
        conn.ExecuteAsync(LogRow.InsertSql, tx, ct, row.Parameters());
}
