using System.Buffers;
using System.IO.Pipelines;
using NewApi.Storage.Options;

namespace NewApi.Relay.Streaming;

/// <summary>
/// SSE keep-alive (relay.md §2.13): with <c>general_setting.ping_interval_enabled</c>, a stream whose upstream stays
/// silent gets a <c>: PING</c> comment every <c>ping_interval_seconds</c>, so proxies between NewApi and the client do
/// not cut a long-thinking model. The ping is written by the relay loop itself (one writer); STREAMING_TIMEOUT still
/// counts from the last upstream byte. Off (the default), a read costs nothing extra.
/// </summary>
public static class KeepAlive
{
    private static readonly byte[] Ping = ": PING\n\n"u8.ToArray();

    /// <summary>The ping interval in force, or null when pings are off.</summary>
    public static TimeSpan? Interval(OptionsStore options)
    {
        var o = options.Current;
        if (!o.GetBool("general_setting.ping_interval_enabled")) return null;
        var seconds = o.GetLong("general_setting.ping_interval_seconds", 60);
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600));
    }

    /// <summary>Reads from the upstream; while it is silent, pings the client every <paramref name="interval"/>.</summary>
    public static async ValueTask<ReadResult> ReadAsync(PipeReader reader, PipeWriter client, TimeSpan? interval, TimeProvider time,
        CancellationToken read, CancellationToken clientGone)
    {
        var pending = reader.ReadAsync(read);
        if (interval is not { } every || pending.IsCompleted) return await pending;
        var readTask = pending.AsTask();
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(read);
            var delay = Task.Delay(every, time, wait.Token);
            if (await Task.WhenAny(readTask, delay) == readTask)
            {
                await wait.CancelAsync();
                return await readTask;
            }
            client.Write(Ping);
            var flush = await client.FlushAsync(clientGone);
            if (flush.IsCanceled || flush.IsCompleted) throw new OperationCanceledException(clientGone);
        }
    }
}
