using NewApi.Relay.Routing;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Relay.Probe;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;

namespace NewApi.Admin.Channels;

/// <summary>
/// GET /api/channel/test: one background run at a time over every channel except manually disabled ones. A failing
/// enabled channel is disabled when the options allow it (error rules, or slower than ChannelDisableThreshold seconds);
/// an automatically disabled channel that passes is enabled again when AutomaticEnableChannelEnabled is on.
/// </summary>
internal sealed class ChannelTestRunner(ChannelRepository repo, ChannelTester tester, ChannelDisabler automation, OptionsStore options,
    TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ChannelTestRunner> log)
{
    public const string TaskType = "channel_test";
    private readonly Lock _gate = new();
    private long _lastId;
    private long _runningId;
    private Task _completion = Task.CompletedTask;

    /// <summary>Completes when the current (or last) run ends; tests wait on it instead of sleeping.</summary>
    public Task Completion
    {
        get { lock (_gate) return _completion; }
    }

    /// <summary>Starts a run, or reports the one already running (Started = false).</summary>
    public (bool Started, ChannelTestTaskView Task) TryStart(TestCaller caller)
    {
        lock (_gate)
        {
            if (_runningId != 0) return (false, new ChannelTestTaskView(_runningId, "running", TaskType));
            _runningId = ++_lastId;
            var id = _runningId;
            _completion = Task.Run(() => RunAsync(id, caller, lifetime.ApplicationStopping));
            return (true, new ChannelTestTaskView(id, "pending", TaskType));
        }
    }

    private async Task RunAsync(long taskId, TestCaller caller, CancellationToken ct)
    {
        int tested = 0, failed = 0, disabled = 0, enabled = 0;
        try
        {
            foreach (var channel in await repo.ListAllAsync(ct))
            {
                if (ct.IsCancellationRequested) break;
                if (channel.Status == ChannelStatus.ManuallyDisabled) continue;
                var step = await TestOneAsync(channel, caller, ct);
                tested++;
                if (!step.Passed) failed++;
                if (step.Disabled) disabled++;
                if (step.Enabled) enabled++;
            }
            log.TestRunFinished(taskId, tested, failed, disabled, enabled);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // shutting down: the run simply stops
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or HttpRequestException or InvalidOperationException)
        {
            log.TestRunFailed(e, taskId);
        }
        finally
        {
            lock (_gate) _runningId = 0;
        }
    }

    private async Task<(bool Passed, bool Disabled, bool Enabled)> TestOneAsync(ChannelRow channel, TestCaller caller, CancellationToken ct)
    {
        var snapshot = options.Current;
        // new-api: only Codex channels are tested streaming in the automatic run.
        var run = await tester.TestAsync(channel, caller, null, null, channel.Type == ChannelType.Codex, ct);
        var outcome = run.Outcome;
        if (!outcome.Ok) await repo.UpdateTestResultAsync(channel.Id, time.UnixSeconds(), run.ElapsedMs, ct);
        var autoDisable = snapshot.GetBool("AutomaticDisableChannelEnabled");
        var thresholdMs = (long)(snapshot.GetDouble("ChannelDisableThreshold", 5) * 1000);
        if (autoDisable && outcome.Ok && thresholdMs > 0 && run.ElapsedMs > thresholdMs)
        {
            var text = string.Format(CultureInfo.InvariantCulture, "响应时间 {0:0.00}s 超过阈值 {1:0.00}s", run.ElapsedMs / 1000.0, thresholdMs / 1000.0);
            outcome = ProbeOutcome.Failure(text, "channel:response_time_exceeded", 408);
        }
        var shouldDisable = autoDisable && (outcome.ErrorCode == "channel:response_time_exceeded" || DisablePolicy.ShouldDisable(RelayPolicy.Rules.From(snapshot), outcome));
        var disabled = shouldDisable && channel.Status == ChannelStatus.Enabled && channel.AutoBan
                       && await automation.DisableAsync(channel.Id, run.KeyIndex, outcome.Message, ct);
        var enabled = outcome.Ok && channel.Status == ChannelStatus.AutoDisabled && snapshot.GetBool("AutomaticEnableChannelEnabled")
                      && await automation.EnableAsync(channel.Id, run.KeyIndex, ct);
        return (outcome.Ok, disabled, enabled);
    }
}
