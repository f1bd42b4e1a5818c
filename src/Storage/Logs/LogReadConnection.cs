using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Logs;

/// <summary>
/// Read connections for the usage-log and dashboard queries, with memory-mapped reads. Those queries walk tens of
/// megabytes of summary and index pages; through the default 2 MB page cache (dropped whenever another connection
/// commits, which the relay does constantly) every page is a read() system call, which measured 2-3x the query's own CPU
/// time on one million rows. Mapped pages come straight from the OS cache. The setting stays with the pooled connection.
/// </summary>
public static class LogReadConnection
{
    /// <summary>2 GiB - 64 KiB: SQLite's default upper bound for mmap_size.</summary>
    private const string MapSql = "PRAGMA mmap_size = 2147418112";

    public static async Task<SqliteConnection> OpenAsync(SqliteDb db, CancellationToken ct)
    {
        var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(MapSql, null, ct);
        return conn;
    }
}
