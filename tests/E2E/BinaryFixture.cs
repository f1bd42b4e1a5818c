using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace NewApi.Tests.E2E;

/// <summary>
/// Runs the published AOT binary (path in NEWAPI_BINARY; build.sh test sets it). Trimming and AOT bugs only show
/// there, so these tests exercise the same surface through the real executable.
/// </summary>
public static partial class Binary
{
    public static string? Path => Environment.GetEnvironmentVariable("NEWAPI_BINARY") is { Length: > 0 } p ? System.IO.Path.GetFullPath(p) : null;

    public static string Require()
    {
        var p = Path;
        if (p is null) Assert.Skip("NEWAPI_BINARY is not set (./build.sh test sets it after publishing)");
        Assert.True(File.Exists(p), $"NEWAPI_BINARY={p} does not exist");
        return p!;
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string dataDir, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Require()) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--data-dir");
        psi.ArgumentList.Add(dataDir);
        psi.Environment["PASSWORD_ITERATIONS"] = "1000";
        using var p = Process.Start(psi)!;
        if (stdin is not null) await p.StandardInput.WriteLineAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@"listening on (http://[0-9.:\[\]]+)")]
    private static partial Regex ListeningLine();

    /// <summary>A running `newapi serve` on a free loopback port; disposing sends SIGTERM and waits.</summary>
    public sealed class Server : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        public Uri BaseAddress { get; private set; } = null!;
        public string Output { get { lock (_output) return _output.ToString(); } }

        private Server(Process p) => _process = p;

        public static Task<Server> StartAsync(string dataDir, params string[] extra)
        {
            var psi = new ProcessStartInfo(Require());
            foreach (var a in new[] { "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir }.Concat(extra)) psi.ArgumentList.Add(a);
            return StartAsync(psi);
        }

        /// <summary>Started by a shell that first runs <paramref name="shell"/> (say, `ulimit -n 64`), then execs the server.</summary>
        public static Task<Server> StartAfterAsync(string shell, string dataDir)
        {
            var psi = new ProcessStartInfo("/bin/sh");
            foreach (var a in new[] { "-c", shell + "; exec \"$0\" serve --listen 127.0.0.1:0 --data-dir \"$1\"", Require(), dataDir }) psi.ArgumentList.Add(a);
            return StartAsync(psi);
        }

        private static async Task<Server> StartAsync(ProcessStartInfo psi)
        {
            psi.RedirectStandardOutput = psi.RedirectStandardError = true;
            psi.UseShellExecute = false;
            psi.Environment["PASSWORD_ITERATIONS"] = "1000";
            psi.Environment["CRITICAL_RATE_LIMIT"] = "100000";
            var server = new Server(Process.Start(psi)!);
            var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null) { ready.TrySetException(new InvalidOperationException("server exited: " + server.Output)); return; }
                lock (server._output) server._output.AppendLine(line);
                var m = ListeningLine().Match(line);
                if (m.Success) ready.TrySetResult(new Uri(m.Groups[1].Value));
            }
            server._process.OutputDataReceived += (_, e) => OnLine(e.Data);
            server._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._output) server._output.AppendLine(e.Data); };
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            server.BaseAddress = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return server;
        }

        public bool HasExited => _process.HasExited;
        public int Pid => _process.Id;

        /// <summary>SIGKILL: no shutdown code runs (a crash or an OOM kill).</summary>
        public void Kill()
        {
            Posix.Kill(_process.Id, Posix.SigKill);
            _process.WaitForExit();
        }

        /// <summary>SIGTERM, then the exit code (graceful shutdown must finish on its own).</summary>
        public async Task<int> StopAsync()
        {
            if (_process.HasExited) return _process.ExitCode;
            Posix.Kill(_process.Id, Posix.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                try { await StopAsync(); }
                catch (OperationCanceledException) { _process.Kill(true); }
            }
            _process.Dispose();
        }
    }
}

internal static partial class Posix
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillNative(int pid, int sig);

    public static void Kill(int pid, int sig)
    {
        if (KillNative(pid, sig) != 0) throw new InvalidOperationException($"kill({pid}, {sig}) failed");
    }

    public const int SigCont = 18;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "tgkill")]
    private static partial int TgKillNative(int pid, int tid, int sig);

    /// <summary>A signal to one thread of a process; false when that thread is gone.</summary>
    public static bool KillThread(int pid, int tid, int sig) => TgKillNative(pid, tid, sig) == 0;
}
