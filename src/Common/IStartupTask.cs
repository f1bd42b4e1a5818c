namespace NewApi.Common;

/// <summary>Work a folder needs done at start, before the server listens (cache warm-up, crash recovery).</summary>
public interface IStartupTask
{
    Task RunAsync(CancellationToken ct);
}
