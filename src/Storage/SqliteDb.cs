using System.Data;
using Microsoft.Data.Sqlite;

namespace NewApi.Storage;

/// <summary>
/// The one SQLite database: pooled connections for reads, one serialised writer (a semaphore) so writers never
/// fight over SQLite's single write lock, WAL journal so readers never wait for the writer.
/// </summary>
public sealed class SqliteDb : IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private int _waiting;

    /// <summary>Callers of <see cref="WriteAsync{T}"/> waiting for the write lock: work that can wait (the log indexer) lets them go first.</summary>
    public int WritersWaiting => Volatile.Read(ref _waiting);
    private static int s_providerSet;

    public SqliteDb(string path, int busyTimeoutMs = 5000)
    {
        EnsureProvider();
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = false,
            DefaultTimeout = Math.Max(1, busyTimeoutMs / 1000),
        }.ToString();
        BusyTimeoutMs = busyTimeoutMs;
        using var conn = new SqliteConnection(ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }

    public string Path { get; }
    public string ConnectionString { get; }
    public int BusyTimeoutMs { get; }

    /// <summary>SQLitePCLRaw provider: the system/static sqlite3 library (linked into the AOT binary).</summary>
    public static void EnsureProvider()
    {
        if (Interlocked.Exchange(ref s_providerSet, 1) != 0) return;
        SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_sqlite3());
        // Before the library initialises: nothing here reads SQLite's memory statistics, and keeping them made every
        // allocation inside SQLite take a process-wide mutex (the batch writer and the readers contended on it).
        SQLitePCL.raw.sqlite3_config(SqliteConfigMemStatus, 0);
    }

    private const int SqliteConfigMemStatus = 9;   // SQLITE_CONFIG_MEMSTATUS

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        // SQLite calls block: never on a socket engine thread (inline completions), where they would stall every
        // connection that engine serves.
        if (!Thread.CurrentThread.IsThreadPoolThread) await Task.Yield();
        var conn = new SqliteConnection(ConnectionString);
        await conn.OpenAsync(ct);
        // Per-connection pragmas: cheap (no I/O) and must hold for pooled connections too.
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        await cmd.ExecuteNonQueryAsync(ct);
        return conn;
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction on the single writer; commits on success.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _writer.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            var result = await work(conn, tx);
            await tx.CommitAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    public Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken ct = default) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, ct);

    public void Dispose() => _writer.Dispose();
}
