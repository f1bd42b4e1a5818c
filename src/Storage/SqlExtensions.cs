using Microsoft.Data.Sqlite;

namespace NewApi.Storage;

/// <summary>Tiny helpers over ADO.NET: SQL is always a constant, values are always parameters.</summary>
public static class SqlExtensions
{
    public static SqliteCommand Command(this SqliteConnection conn, string sql, SqliteTransaction? tx, params (string Name, object? Value)[] args)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public static async Task<int> ExecuteAsync(this SqliteConnection conn, string sql, SqliteTransaction? tx, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = conn.Command(sql, tx, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<long> ScalarLongAsync(this SqliteConnection conn, string sql, SqliteTransaction? tx, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = conn.Command(sql, tx, args);
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is null or DBNull ? 0 : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<string?> ScalarStringAsync(this SqliteConnection conn, string sql, SqliteTransaction? tx, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = conn.Command(sql, tx, args);
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is null or DBNull ? null : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<List<T>> QueryAsync<T>(this SqliteConnection conn, string sql, SqliteTransaction? tx, Func<SqliteDataReader, T> map, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = conn.Command(sql, tx, args);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await reader.ReadAsync(ct)) list.Add(map(reader));
        return list;
    }

    public static async Task<T?> QuerySingleAsync<T>(this SqliteConnection conn, string sql, SqliteTransaction? tx, Func<SqliteDataReader, T> map, CancellationToken ct, params (string, object?)[] args) where T : class
    {
        await using var cmd = conn.Command(sql, tx, args);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
        return await reader.ReadAsync(ct) ? map(reader) : null;
    }

    public static async Task<long> LastInsertIdAsync(this SqliteConnection conn, SqliteTransaction? tx, CancellationToken ct) =>
        await conn.ScalarLongAsync("SELECT last_insert_rowid()", tx, ct);

    public static string Str(this SqliteDataReader r, int i) => r.IsDBNull(i) ? "" : r.GetString(i);
    public static string? StrOrNull(this SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    public static long Long(this SqliteDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetInt64(i);
    public static int Int(this SqliteDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetInt32(i);
    public static bool Bool(this SqliteDataReader r, int i) => !r.IsDBNull(i) && r.GetInt64(i) != 0;
    public static double Dbl(this SqliteDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetDouble(i);

    /// <summary>Escapes LIKE wildcards for use with <c>ESCAPE '!'</c>.</summary>
    public static string EscapeLike(string s) => s.Replace("!", "!!").Replace("%", "!%").Replace("_", "!_");
}
