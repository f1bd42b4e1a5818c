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

    /// <summary>The log indexer's optional chunks give way while another write waits: the count it reads must be exact.</summary>
    [Fact]
    public async Task WritersWaiting_CountsCallersQueuedForTheWriteLock()
    {
        var dir = Directory.CreateTempSubdirectory("newapi-sqlite-");
        try
        {
            var db = new SqliteDb(Path.Combine(dir.FullName, "t.db"));
            var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var first = db.WriteAsync(async (_, _) =>
            {
                holding.SetResult();
                await release.Task;
            });
            await holding.Task;
            Assert.Equal(0, db.WritersWaiting);
            var second = db.WriteAsync((_, _) => Task.CompletedTask);
            Assert.Equal(1, db.WritersWaiting);
            using var cts = new CancellationTokenSource();
            var third = db.WriteAsync((_, _) => Task.CompletedTask, cts.Token);
            Assert.Equal(2, db.WritersWaiting);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
            Assert.Equal(1, db.WritersWaiting);
            release.SetResult();
            await first;
            await second;
            Assert.Equal(0, db.WritersWaiting);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(true);
        }
    }
}
