using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewApi.Tests.Support;

namespace NewApi.Tests.E2E;

/// <summary>The published binary end to end: CLI setup and keys, the HTTP API, then a clean SIGTERM shutdown.</summary>
public sealed class BinaryTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-e2e-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Version_And_ConfigCheck_Work()
    {
        var v = await Binary.RunAsync(_dir.FullName, null, "version");
        Assert.Equal(0, v.ExitCode);
        Assert.StartsWith("newapi v", v.Stdout);
        var c = await Binary.RunAsync(_dir.FullName, null, "config", "check");
        Assert.Equal(0, c.ExitCode);
        Assert.Contains("configuration OK", c.Stdout);
        Assert.DoesNotContain(File.Exists(Path.Combine(_dir.FullName, ".session_secret")) ? File.ReadAllText(Path.Combine(_dir.FullName, ".session_secret")) : "\u0000", c.Stdout);
        var bad = await Binary.RunAsync(_dir.FullName, null, "serve", "--port", "99999");
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("server.listen", bad.Stderr);
    }

    [Fact]
    public async Task Serve_OnAPortInUse_ExitsWithOneClearLine_AndNoBackgroundServiceFailure()
    {
        using var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var r = await Binary.RunAsync(_dir.FullName, null, "serve", "--listen", $"127.0.0.1:{port}");
        Assert.NotEqual(0, r.ExitCode);
        var all = r.Stdout + r.Stderr;
        Assert.Contains("address already in use", all);
        // The host disposed its background services after the failed start: that is a stop, not a crash.
        Assert.DoesNotContain("BackgroundService failed", all);
        Assert.DoesNotContain("crit:", all);
    }

    [Fact]
    public async Task Serve_WatchesNoFiles_SoLogWritesWakeNoWatcherThread()
    {
        // The host's appsettings reload watched the binary's directory and all below it (often the data directory too):
        // each WAL write of the billing writer then woke a file-watcher thread.
        await using var server = await Binary.Server.StartAsync(_dir.FullName);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/api/status")).StatusCode);
        var names = Directory.GetDirectories($"/proc/{server.Pid}/task")
            .Select(d => File.ReadAllText(Path.Combine(d, "comm")).Trim())
            .ToList();
        Assert.Contains(names, n => n.StartsWith("front-io-", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("File Watch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FrontLoops_InterruptedBySignals_KeepServingTheConnectionsTheyOwn()
    {
        // A signal the runtime handles (SIGCONT: a shell's fg after Ctrl-Z) interrupts a loop's epoll_wait with EINTR.
        // The first loop used to read the error only after its CPU-pressure check had read a file, saw 0 instead of
        // EINTR and stopped: every connection it owned hung.
        await using var server = await Binary.Server.StartAsync(_dir.FullName);
        var connections = new List<System.Net.Sockets.TcpClient>();
        try
        {
            await ConnectAsync(server, 8, connections);
            foreach (var client in connections) Assert.Equal(200, await StatusOverAsync(client));
            var loops = LoopThreads(server.Pid);
            Assert.NotEmpty(loops);
            for (var round = 0; round < 3; round++)
            {
                // Idle for longer than the first loop's 100-ms pressure check, so the check that follows the
                // interrupted wait reads its file: the condition the failure needed.
                await Task.Delay(250);
                foreach (var tid in loops) Assert.True(Posix.KillThread(server.Pid, tid, Posix.SigCont), $"front loop thread {tid} is gone");
                foreach (var tid in loops) await SignalTakenAsync(server.Pid, tid);
            }
            foreach (var client in connections) Assert.Equal(200, await StatusOverAsync(client));
            Assert.Equal(loops, LoopThreads(server.Pid));
            Assert.DoesNotContain("front I/O loop stopped", server.Output);
        }
        finally
        {
            foreach (var client in connections) client.Dispose();
        }
    }

    [Fact]
    public async Task Serve_RaisesTheOpenFilesSoftLimit_ToTheHardLimit()
    {
        // Native AOT, unlike Go's runtime and .NET's JIT runtime, leaves the soft limit (often 1024) where it was:
        // about 500 relayed calls at once would then be refused.
        await using var server = await Binary.Server.StartAfterAsync("ulimit -S -n 256", _dir.FullName);
        var line = File.ReadAllLines($"/proc/{server.Pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fields[1], fields[0]);
        Assert.NotEqual("256", fields[0]);
    }

    [Fact]
    public async Task OutOfDescriptors_TheLoopsWaitInsteadOfSpinning_AndAcceptAgainOnceSomeAreFree()
    {
        await using var server = await Binary.Server.StartAfterAsync("ulimit -n 96", _dir.FullName);
        var held = new List<System.Net.Sockets.TcpClient>();
        try
        {
            // More connections than the process can hold: the kernel queues the rest, the server cannot accept them.
            await ConnectAsync(server, 120, held);
            await WaitForAsync(() => Directory.GetFileSystemEntries($"/proc/{server.Pid}/fd").Length >= 94);
            // A level-triggered wait on a listener it cannot accept from returned at once, for ever: a core at 100 %.
            var cpu = ProcessCpu(server.Pid);
            var wall = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(1000);
            var share = (ProcessCpu(server.Pid) - cpu).TotalMilliseconds / wall.Elapsed.TotalMilliseconds;
            Assert.True(share < 0.25, $"the server used {share:P0} of a CPU while it could not accept");
            Assert.Contains("Cannot accept connections (errno 24", server.Output);
            foreach (var client in held) client.Dispose();
            held.Clear();
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/status")).StatusCode);
        }
        finally
        {
            foreach (var client in held) client.Dispose();
        }
    }

    /// <summary>Opens <paramref name="count"/> connections to the server into <paramref name="into"/> (the caller disposes them).</summary>
    private static async Task ConnectAsync(Binary.Server server, int count, List<System.Net.Sockets.TcpClient> into)
    {
        for (var i = 0; i < count; i++)
        {
            var client = new System.Net.Sockets.TcpClient();
            into.Add(client);
            await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        }
    }

    private static TimeSpan ProcessCpu(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0);   // utime + stime, in ticks
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    private static List<int> LoopThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Where(d => File.ReadAllText(Path.Combine(d, "comm")).StartsWith("front-io-", StringComparison.Ordinal))
            .Select(d => int.Parse(Path.GetFileName(d)))
            .Order()
            .ToList();

    /// <summary>Until the thread has no signal pending (or is gone): the kernel cleared it when the handler ran.</summary>
    private static async Task SignalTakenAsync(int pid, int tid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            string status;
            try { status = File.ReadAllText($"/proc/{pid}/task/{tid}/status"); }
            catch (IOException) { return; }
            var pending = status.Split('\n').First(l => l.StartsWith("SigPnd:", StringComparison.Ordinal));
            if (pending.EndsWith("0000000000000000", StringComparison.Ordinal)) return;
            await Task.Delay(5);
        }
        Assert.Fail($"thread {tid} never took its signal");
    }

    /// <summary>GET /api/status on a kept-alive connection; the status code, or a failure after 10 s.</summary>
    private static async Task<int> StatusOverAsync(System.Net.Sockets.TcpClient client)
    {
        var stream = client.GetStream();
        await stream.WriteAsync("GET /api/status HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[256 * 1024];
        var length = 0;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length), cts.Token);
            Assert.True(n > 0, "the server closed the connection");
            length += n;
            var text = System.Text.Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var header = text[..end];
            var lengthLine = header.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            if (lengthLine is null ? !text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) : length < end + 4 + int.Parse(lengthLine[15..].Trim()))
                continue;
            return int.Parse(header.Split(' ')[1]);
        }
    }

    [Fact]
    public async Task SetupWithCli_ThenServe_ApiWorks_TokenFromCliAuthenticates_SigtermExitsCleanly()
    {
        var setup = await Binary.RunAsync(_dir.FullName, "e2e-root-password", "setup", "--username", "root", "--password-stdin");
        Assert.True(setup.ExitCode == 0, setup.Stderr);
        var again = await Binary.RunAsync(_dir.FullName, "e2e-root-password", "setup", "--username", "root", "--password-stdin");
        Assert.Equal(4, again.ExitCode);
        var token = await Binary.RunAsync(_dir.FullName, null, "token", "create", "--user", "root", "--name", "cli-key", "--quota", "$2", "--models", "gpt-4o");
        Assert.True(token.ExitCode == 0, token.Stderr);
        var key = token.Stdout.Trim();
        Assert.Matches("^sk-[0-9A-Za-z]{48}$", key);
        var list = await Binary.RunAsync(_dir.FullName, null, "token", "list");
        Assert.Contains("cli-key", list.Stdout);
        Assert.DoesNotContain(key[3..], list.Stdout);
        var migrate = await Binary.RunAsync(_dir.FullName, null, "migrate", "status");
        Assert.Contains("applied  0001_init", migrate.Stdout);

        await using var server = await Binary.Server.StartAsync(_dir.FullName);
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
        var status = await http.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.True(status.GetProperty("data").GetProperty("setup").GetBoolean());

        var login = await (await http.PostAsJsonAsync("/api/user/login", new { username = "root", password = "e2e-root-password" })).Content.ReadFromJsonAsync<JsonElement>();
        JsonAssert.Success(login);
        http.DefaultRequestHeaders.Add("New-Api-User", login.GetProperty("data").GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var self = await http.GetFromJsonAsync<JsonElement>("/api/user/self");
        Assert.Equal(100, self.GetProperty("data").GetProperty("role").GetInt32());
        var options = await http.GetFromJsonAsync<JsonElement>("/api/option/");
        Assert.True(options.GetProperty("data").GetArrayLength() > 50);
        JsonAssert.Success(await (await http.PostAsJsonAsync("/api/token/", new { name = "web-key", remain_quota = 5 })).Content.ReadFromJsonAsync<JsonElement>());
        var tokens = await http.GetFromJsonAsync<JsonElement>("/api/token/");
        Assert.Equal(2, tokens.GetProperty("data").GetProperty("total").GetInt64());

        using var keyed = new HttpClient { BaseAddress = server.BaseAddress };
        keyed.DefaultRequestHeaders.Add("Authorization", "Bearer " + key);
        var usage = await keyed.GetFromJsonAsync<JsonElement>("/api/usage/token");
        Assert.Equal(1_000_000, usage.GetProperty("data").GetProperty("total_available").GetInt64());
        Assert.True(usage.GetProperty("data").GetProperty("model_limits").GetProperty("gpt-4o").GetBoolean());

        var notFound = await http.GetAsync("/v1/does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        var console = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, console.StatusCode);

        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task RevokingAKeyFromTheCli_WhileServing_IsRefusedByTheReadOnlyRoute()
    {
        Assert.Equal(0, (await Binary.RunAsync(_dir.FullName, "e2e-root-password", "setup", "--username", "root", "--password-stdin")).ExitCode);
        var key = (await Binary.RunAsync(_dir.FullName, null, "token", "create", "--user", "root", "--name", "k", "--unlimited")).Stdout.Trim();
        await using var server = await Binary.Server.StartAsync(_dir.FullName);
        using var keyed = new HttpClient { BaseAddress = server.BaseAddress };
        keyed.DefaultRequestHeaders.Add("Authorization", "Bearer " + key);
        Assert.Equal(HttpStatusCode.OK, (await keyed.GetAsync("/api/usage/token")).StatusCode);
        Assert.Equal(0, (await Binary.RunAsync(_dir.FullName, null, "token", "revoke", "1")).ExitCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyed.GetAsync("/api/usage/token")).StatusCode);
    }
}

public sealed class BinaryCliTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-e2e-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Migrate_OnAFreshDataDir_CreatesTheSchema_AndBackupWritesACopy()
    {
        var up = await Binary.RunAsync(_dir.FullName, null, "migrate");
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.Matches(@"applied \d+ migration", up.Stdout);
        var again = await Binary.RunAsync(_dir.FullName, null, "migrate", "up");
        Assert.Contains("up to date", again.Stdout);
        var backup = await Binary.RunAsync(_dir.FullName, null, "migrate", "backup");
        Assert.Equal(0, backup.ExitCode);
        Assert.True(File.Exists(backup.Stdout.Trim()));
    }

    [Fact]
    public async Task UserCommands_CreateListRoleDisable()
    {
        var create = await Binary.RunAsync(_dir.FullName, "user-password-1", "user", "create", "--username", "bob", "--password-stdin", "--role", "admin");
        Assert.True(create.ExitCode == 0, create.Stderr);
        var dup = await Binary.RunAsync(_dir.FullName, "user-password-1", "user", "create", "--username", "bob", "--password-stdin");
        Assert.Equal(4, dup.ExitCode);
        Assert.Contains("admin", (await Binary.RunAsync(_dir.FullName, null, "user", "list")).Stdout);
        Assert.Equal(0, (await Binary.RunAsync(_dir.FullName, null, "user", "role", "bob", "common")).ExitCode);
        Assert.Equal(0, (await Binary.RunAsync(_dir.FullName, null, "user", "disable", "bob")).ExitCode);
        Assert.Contains("Disabled", (await Binary.RunAsync(_dir.FullName, null, "user", "list")).Stdout);
        Assert.Equal(5, (await Binary.RunAsync(_dir.FullName, null, "user", "disable", "nobody")).ExitCode);
        Assert.Equal(2, (await Binary.RunAsync(_dir.FullName, null, "user", "frobnicate")).ExitCode);
    }
}
