using System.Text;
using Microsoft.Data.Sqlite;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Logs;

namespace NewApi.Tests.Unit.Storage;

/// <summary>The batch writer's raw-bound insert stores exactly what the ADO.NET insert stores, empty strings included.</summary>
public sealed class LogInsertStatementTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-logins-");
    private SqliteDb _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = new SqliteDb(Path.Combine(_dir.FullName, "t.db"));
        await new Migrator(_db).MigrateAsync(TimeProvider.System);
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Delete(true);
        return ValueTask.CompletedTask;
    }

    private static readonly LogRow Full = new()
    {
        UserId = 7, CreatedAt = 1_764_660_123, Type = LogType.Consume, Content = "上游无计费信息 \"quoted\" \0 nul", Username = "ünï",
        TokenName = "tok 🔑", ModelName = "gpt-4o", Quota = 1234, PromptTokens = 11, CompletionTokens = 22, UseTime = 3, IsStream = true,
        ChannelId = 5, TokenId = 9, Group = "vip", Ip = "10.0.0.1", RequestId = "20261202000000000000000abcdef12XyZ", UpstreamRequestId = "up-1",
        Other = """{"model_ratio":1,"admin_info":{"use_channel":["5"]}}""",
    };

    private async Task<List<LogRow>> ReadAllAsync()
    {
        await using var c = await _db.OpenAsync();
        await using var cmd = c.Command($"SELECT {LogRow.Columns} FROM logs ORDER BY id", null);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<LogRow>();
        while (await r.ReadAsync()) rows.Add(LogRow.Read(r) with { Id = 0 });
        return rows;
    }

    [Fact]
    public async Task ArenaRows_ReadBackFieldForField_AcrossChunks_WithARowLargerThanAChunk()
    {
        var rows = new List<LogRow>();
        for (var i = 0; i < 700; i++)   // ~200 bytes each: several chunks
            rows.Add(Full with { UserId = i, Quota = -i, RequestId = "r" + i, Other = new string('x', i % 97), Ip = i % 3 == 0 ? "" : "::1" });
        rows.Insert(350, Full with { Other = "{\"big\":\"" + new string('é', LogArena.ChunkBytes) + "\"}" });   // 128 KB of UTF-8
        rows.Add(new LogRow { UserId = 1, CreatedAt = 1, Type = LogType.Error });
        var arena = new LogArena();
        foreach (var row in rows) arena.Add(row);
        Assert.Equal(rows.Count, arena.Count);
        Assert.True(arena.Chunks().Count() > 2);
        await _db.WriteAsync((conn, tx) =>
        {
            using var insert = new LogInsertStatement(conn);
            insert.InsertAll(arena, yieldEvery: 64);
            return Task.CompletedTask;
        });
        Assert.Equal(rows, await ReadAllAsync());
        arena.Clear();
        Assert.Equal(0, arena.Count);
        Assert.Empty(arena.Chunks());
    }

    [Fact]
    public async Task ArenaRows_WithOtherAsUtf8_ReadBackAsTheSameText()
    {
        const string text = """{"model_ratio":1,"note":"上游 é 🔑","admin_info":{"use_channel":["5"]}}""";
        var row = new LogRow { UserId = 3, CreatedAt = 5, Type = LogType.Consume, RequestId = "utf8-other", OtherUtf8 = Encoding.UTF8.GetBytes(text) };
        Assert.Equal(text, row.Other);   // decoded on read
        var arena = new LogArena();
        arena.Add(row);
        arena.Add(row with { RequestId = "utf8-other-2" });
        await _db.WriteAsync((conn, tx) =>
        {
            using var insert = new LogInsertStatement(conn);
            insert.InsertAll(arena, yieldEvery: 64);
            return Task.CompletedTask;
        });
        var back = (await ReadAllAsync()).Where(r => r.RequestId.StartsWith("utf8-other", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, back.Count);
        Assert.All(back, r => Assert.Equal(text, r.Other));
        arena.Clear();
    }

    [Fact]
    public async Task RowsReadBack_FieldForField()
    {
        var full = new LogRow
        {
            UserId = 7, CreatedAt = 1_764_660_123, Type = LogType.Consume, Content = "上游无计费信息 \"quoted\" \0 nul", Username = "ünï",
            TokenName = "tok 🔑", ModelName = "gpt-4o", Quota = 1234, PromptTokens = 11, CompletionTokens = 22, UseTime = 3, IsStream = true,
            ChannelId = 5, TokenId = 9, Group = "vip", Ip = "10.0.0.1", RequestId = "20261202000000000000000abcdef12XyZ", UpstreamRequestId = "up-1",
            Other = """{"model_ratio":1,"admin_info":{"use_channel":["5"]}}""",
        };
        var empty = new LogRow { UserId = 1, CreatedAt = 1, Type = LogType.Error };
        await _db.WriteAsync((conn, tx) =>
        {
            using var insert = new LogInsertStatement(conn);
            insert.Insert(full);
            insert.Insert(empty);
            return Task.CompletedTask;
        });
        await using var c = await _db.OpenAsync();
        await using var cmd = c.Command($"SELECT {LogRow.Columns} FROM logs ORDER BY id", null);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<LogRow>();
        while (await r.ReadAsync()) rows.Add(LogRow.Read(r));
        Assert.Equal(2, rows.Count);
        Assert.Equal(full, rows[0] with { Id = 0 });
        Assert.Equal(empty, rows[1] with { Id = 0 });
        Assert.Equal(0, await c.ScalarLongAsync("SELECT count(*) FROM logs WHERE content IS NULL OR ip IS NULL OR typeof(content) <> 'text'", null, default));
    }
}
