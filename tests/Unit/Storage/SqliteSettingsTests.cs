using NewApi.Storage;

namespace NewApi.Tests.Unit.Storage;

public sealed class SqliteSettingsTests
{
    [Fact]
    public async Task MemoryStatistics_AreOff_SoAllocationsTakeNoGlobalMutex()
    {
        var dir = Directory.CreateTempSubdirectory("newapi-sqlite-");
        try
        {
            var db = new SqliteDb(Path.Combine(dir.FullName, "t.db"));
            await using var conn = await db.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE t(x TEXT); INSERT INTO t SELECT hex(randomblob(1000)) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3);";
            await cmd.ExecuteNonQueryAsync();
            // With SQLITE_CONFIG_MEMSTATUS on, this counts every live allocation (the open connection's caches at least).
            Assert.Equal(0, SQLitePCL.raw.sqlite3_memory_used());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(true);
        }
    }
}
