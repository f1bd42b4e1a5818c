using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using NewApi.Tests.Support;

namespace NewApi.Tests.E2E;

/// <summary>
/// kill -9 of the published binary in the middle of billed traffic, then a restart: whatever the crash cut off, the
/// database must agree with itself — every user's and token's quota plus what it used equals what it was given (a
/// reservation the crash left behind is refunded at start), every charge has its consume log row and no log row its
/// charge is missing, channels, hourly quota_data and the log summaries match the rows, and SQLite's own check passes.
/// </summary>
public sealed class CrashConsistencyTests : IAsyncLifetime
{
    private const string Model = "crash-model";
    private const long TrustedQuota = 1_000_000_000;   // above the trust threshold: settled without a reservation
    private const long HeldQuota = 4_000_000;          // below it: every request reserves first
    private const long TokenQuota = 3_000_000;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-crash-");
    private readonly FakeUpstream _upstream = new();

    public async ValueTask InitializeAsync() => await _upstream.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    private string Db => Path.Combine(_dir.FullName, "newapi.db");

    [Fact]
    public async Task KillNine_UnderBilledLoad_ThenRestart_QuotaLogsAndCountersAgree()
    {
        Binary.Require();
        Assert.Equal(0, (await Binary.RunAsync(_dir.FullName, null, "migrate")).ExitCode);
        await ExecAsync($$"""
            INSERT INTO channels(type, "key", name, base_url, models, "group", status, created_time)
              VALUES (1, 'upstream-key', 'crash', '{{_upstream.Url}}', '{{Model}}', 'default', 1, 1);
            INSERT INTO abilities("group", model, channel_id, enabled, priority, weight) SELECT 'default', models, id, 1, 0, 0 FROM channels;
            INSERT INTO options("key", value) VALUES ('ModelRatio', '{"{{Model}}":2.5}');
            """);
        var keys = new List<string>();
        foreach (var (user, quota) in new[] { ("trusted", TrustedQuota), ("held", HeldQuota) })
        {
            Assert.Equal(0, (await Binary.RunAsync(_dir.FullName, "crash-password", "user", "create", "-u", user, "--password-stdin", "--quota", quota.ToString())).ExitCode);
            keys.Add(await TokenAsync(user, "--unlimited"));
            keys.Add(await TokenAsync(user, "--quota", TokenQuota.ToString()));
        }

        var server = await Binary.Server.StartAsync(_dir.FullName);
        var ok = 0;
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var key = keys[i % keys.Count];
            var stream = i % 3 == 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                    {
                        Content = new StringContent($$"""{"model":"{{Model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"crash test {{i}}"}]}""",
                            Encoding.UTF8, "application/json"),
                    };
                    req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    using var resp = await http.SendAsync(req, stop.Token);
                    await resp.Content.ReadAsByteArrayAsync(stop.Token);
                    if (resp.IsSuccessStatusCode && Interlocked.Increment(ref ok) >= 400) enough.TrySetResult();
                }
                catch (Exception) when (stop.IsCancellationRequested || server.HasExited)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    return;   // the server is gone
                }
            }
        })).ToArray();

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Kill once some batches are committed (so the restart has both written and lost work to reconcile).
        var committed = Task.Run(async () =>
        {
            while (await ScalarAsync<long>("SELECT COUNT(*) FROM logs WHERE type = 2") == 0) await Task.Delay(20);
        });
        await committed.WaitAsync(TimeSpan.FromSeconds(30));
        var after = Volatile.Read(ref ok);
        while (Volatile.Read(ref ok) < after + 50) await Task.Delay(5);
        server.Kill();   // SIGKILL while the workers are mid-request: settlements in memory and reservations in the table
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await server.DisposeAsync();
        Assert.True(await ScalarAsync<long>("SELECT COUNT(*) FROM quota_reservations") > 0, "the kill left no reservation behind");

        // The restart refunds the reservations the crash left and must come up on the same file.
        await using (var again = await Binary.Server.StartAsync(_dir.FullName))
        {
            using var probe = new HttpClient { BaseAddress = again.BaseAddress };
            Assert.True((await probe.GetAsync("/api/status")).IsSuccessStatusCode);
            Assert.Equal(0, await again.StopAsync());
        }

        Assert.Equal("ok", await ScalarAsync<string>("PRAGMA integrity_check"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM quota_reservations"));
        var logged = await ScalarAsync<long>("SELECT COUNT(*) FROM logs WHERE type = 2");
        Assert.True(logged > 0, "nothing was billed before the kill");

        foreach (var (user, given) in new[] { ("trusted", TrustedQuota), ("held", HeldQuota) })
        {
            var (quota, used, requests) = await RowAsync($"SELECT quota, used_quota, request_count FROM users WHERE username = '{user}'");
            Assert.Equal(given, quota + used);
            Assert.Equal(used, await ScalarAsync<long>($"SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 2 AND username = '{user}'"));
            Assert.Equal(requests, await ScalarAsync<long>($"SELECT COUNT(*) FROM logs WHERE type = 2 AND username = '{user}'"));
        }
        // Limited tokens: remaining plus used is what they were given; every token's used equals its log rows.
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT COUNT(*) FROM tokens WHERE unlimited_quota = 0 AND remain_quota + used_quota != {TokenQuota}"));
        Assert.Equal(0L, await ScalarAsync<long>(
            "SELECT COUNT(*) FROM tokens t WHERE used_quota != (SELECT COALESCE(SUM(quota), 0) FROM logs l WHERE l.type = 2 AND l.token_id = t.id)"));
        Assert.Equal(await ScalarAsync<long>("SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 2"),
            await ScalarAsync<long>("SELECT used_quota FROM channels WHERE name = 'crash'"));
        // Dashboard buckets and the log summaries are written in the same transactions as the rows.
        var (qdCount, qdQuota, _) = await RowAsync("SELECT COALESCE(SUM(count), 0), COALESCE(SUM(quota), 0), 0 FROM quota_data");
        Assert.Equal(logged, qdCount);
        Assert.Equal(await ScalarAsync<long>("SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 2"), qdQuota);
        Assert.Equal(logged, await ScalarAsync<long>("SELECT COALESCE(SUM(rows), 0) FROM log_daily_type WHERE type = 2"));
    }

    private async Task<string> TokenAsync(string user, params string[] quota)
    {
        var r = await Binary.RunAsync(_dir.FullName, null, ["token", "create", "--user", user, "--name", "k" + Guid.NewGuid().ToString("N")[..6], .. quota]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    private SqliteConnection Open()
    {
        NewApi.Storage.SqliteDb.EnsureProvider();
        var c = new SqliteConnection($"Data Source={Db};Pooling=False");
        c.Open();
        return c;
    }

    private async Task ExecAsync(string sql)
    {
        await using var c = Open();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var c = Open();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<(long, long, long)> RowAsync(string sql)
    {
        await using var c = Open();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), sql);
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }
}
