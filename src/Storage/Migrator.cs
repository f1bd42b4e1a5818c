using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace NewApi.Storage;

/// <summary>
/// Forward-only migrations embedded as <c>migrations/NNNN_name.sql</c>. Each pending file runs in its own
/// transaction and is recorded in schema_migrations; a database newer than this binary is refused.
/// </summary>
public sealed class Migrator(SqliteDb db)
{
    public sealed record Migration(int Version, string Name, string Sql)
    {
        /// <summary>Recorded with the applied migration: the hash the build computed of the embedded file (so no start loads the
        /// crypto library for it), or the text's own when the build has none.</summary>
        public string Sha256 => MigrationHashes.Sha256.TryGetValue($"{Version:D4}_{Name}", out var built)
            ? built.ToLowerInvariant()
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

        /// <summary>The text's hash, computed now (tests compare it with the build's).</summary>
        public string ComputedSha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }
    public sealed record Status(IReadOnlyList<Migration> Applied, IReadOnlyList<Migration> Pending, int DatabaseVersion);

    private const string EnsureTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL, sha256 TEXT NOT NULL DEFAULT '')
        """;

    public static IReadOnlyList<Migration> All { get; } = LoadEmbedded();

    private static List<Migration> LoadEmbedded()
    {
        var asm = typeof(Migrator).Assembly;
        var list = new List<Migration>();
        foreach (var res in asm.GetManifestResourceNames())
        {
            if (!res.StartsWith("migrations/", StringComparison.Ordinal) || !res.EndsWith(".sql", StringComparison.Ordinal)) continue;
            var file = res["migrations/".Length..^4];
            var us = file.IndexOf('_');
            if (us <= 0 || !int.TryParse(file.AsSpan(0, us), out var version))
                throw new InvalidOperationException($"migration resource '{res}' is not named NNNN_name.sql");
            using var stream = asm.GetManifestResourceStream(res)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            list.Add(new Migration(version, file[(us + 1)..], sql));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        return list;
    }

    public async Task<Status> GetStatusAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync(EnsureTableSql, null, ct);
        var applied = await conn.QueryAsync("SELECT version FROM schema_migrations ORDER BY version", null, r => r.GetInt32(0), ct);
        var set = applied.ToHashSet();
        var dbVersion = applied.Count == 0 ? 0 : applied.Max();
        return new Status(All.Where(m => set.Contains(m.Version)).ToList(), All.Where(m => !set.Contains(m.Version)).ToList(), dbVersion);
    }

    /// <summary>Applies pending migrations. Backs the file up first (VACUUM INTO) when it already holds data.</summary>
    public async Task<(int Applied, string? BackupPath)> MigrateAsync(TimeProvider time, CancellationToken ct = default)
    {
        var status = await GetStatusAsync(ct);
        var latest = All.Count == 0 ? 0 : All[^1].Version;
        if (status.DatabaseVersion > latest)
            throw new InvalidOperationException(
                $"database schema version {status.DatabaseVersion} is newer than this binary supports ({latest}); use a newer newapi");
        if (status.Pending.Count == 0) return (0, null);

        string? backup = null;
        if (status.Applied.Count > 0) backup = await BackupAsync(time, ct);

        foreach (var m in status.Pending)
        {
            await db.WriteAsync(async (conn, tx) =>
            {
                try
                {
                    await conn.ExecuteAsync(m.Sql, tx, ct);
                }
                catch (SqliteException e)
                {
                    throw new InvalidOperationException($"migration {m.Version:D4}_{m.Name}.sql failed: {e.Message}", e);
                }
                await conn.ExecuteAsync("INSERT INTO schema_migrations(version, name, applied_at, sha256) VALUES ($v, $n, $t, $s)", tx, ct,
                    ("$v", m.Version), ("$n", m.Name), ("$t", time.GetUtcNow().ToUnixTimeSeconds()), ("$s", m.Sha256));
            }, ct);
        }
        return (status.Pending.Count, backup);
    }

    /// <summary>Consistent copy of the live database next to it: &lt;db&gt;.bak-&lt;utc stamp&gt;.</summary>
    public async Task<string> BackupAsync(TimeProvider time, CancellationToken ct = default)
    {
        var target = $"{db.Path}.bak-{time.GetUtcNow():yyyyMMddHHmmss}";
        if (File.Exists(target)) File.Delete(target);
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync("VACUUM INTO $p", null, ct, ("$p", target));
        return target;
    }
}
