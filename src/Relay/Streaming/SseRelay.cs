using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NewApi.Config;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;
using NewApi.Storage.Options;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Relays an OpenAI-format SSE stream line by line from a <see cref="PipeReader"/> over the upstream body to the
/// response's PipeWriter: no string per line, one flush per network read, one writer (this loop). Each upstream read
/// must arrive within STREAMING_TIMEOUT. The ending is always ours: usage chunk (when the client wants one and the
/// upstream sent none) and <c>[DONE]</c> after a normal end; an error event, never a fake <c>[DONE]</c>, after a cut,
/// a timeout or an oversized line; nothing at all when the client left (the upstream read is cancelled at once).
/// </summary>
public sealed class SseRelay(RelaySection config, OptionsStore options, TimeProvider time)
{
    private const int MaxLineBytes = 128 * 1024 * 1024;

    public async Task<AttemptOutcome> RelayAsync(HttpContext ctx, HttpResponseMessage response, IUsageTap tap, RelayRequest request,
        Func<IUsageTap, string> syntheticUsage, CancellationToken clientGone)
    {
        StartResponse(ctx);
        var writer = ctx.Response.BodyWriter;
        var end = StreamEnd.Eof;
        await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, useZeroByteReads: true));
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, idle.Token);
        var timeout = TimeSpan.FromSeconds(Math.Max(1, config.StreamingTimeout));
        try
        {
            end = await PumpAsync(reader, writer, tap, request, idle, timeout, ctx.Features.Get<RelayDeadline>(), KeepAlive.Interval(options), linked.Token, clientGone);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            end = StreamEnd.ClientGone;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            end = StreamEnd.Timeout;
        }
        catch (IOException)
        {
            end = clientGone.IsCancellationRequested ? StreamEnd.ClientGone : StreamEnd.Interrupted;
        }
        catch (HttpRequestException)
        {
            end = StreamEnd.Interrupted;
        }
        finally
        {
            await reader.CompleteAsync();
        }
        await FinishAsync(writer, end, tap, request, syntheticUsage);
        var outcome = new AttemptOutcome
        {
            Started = true, ClientGone = end == StreamEnd.ClientGone, UpstreamUsage = tap.Usage, DeliveredText = tap.DeliveredText,
            ToolCalls = tap.ToolCalls, StreamEnd = end,
        };
        return end is StreamEnd.Timeout or StreamEnd.Interrupted or StreamEnd.TooLarge
            ? outcome with { Error = RelayError.Local(502, StreamError(end), ErrorCodes.StreamInterrupted) }
            : outcome;
    }

    /// <summary>Status, headers and unbuffered body of a streamed answer (a Gemini JSON-array stream passes its own type).</summary>
    internal static void StartResponse(HttpContext ctx, string contentType = "text/event-stream")
    {
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = contentType;
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private async Task<StreamEnd> PumpAsync(PipeReader reader, PipeWriter writer, IUsageTap tap, RelayRequest request,
        CancellationTokenSource idle, TimeSpan timeout, RelayDeadline? deadline, TimeSpan? ping, CancellationToken read, CancellationToken clientGone)
    {
        while (true)
        {
            idle.CancelAfter(RelayDeadline.Window(deadline, timeout));
            var result = await KeepAlive.ReadAsync(reader, writer, ping, time, read, clientGone);
            var buffer = result.Buffer;
            var done = false;
            while (!done && SseLineReader.TryReadLine(ref buffer, out var line)) done = Forward(line, writer, tap, request);
            if (!done && buffer.Length > MaxLineBytes) return StreamEnd.TooLarge;
            reader.AdvanceTo(buffer.Start, buffer.End);
            var flush = await writer.FlushAsync(clientGone);
            if (flush.IsCanceled || flush.IsCompleted) return StreamEnd.ClientGone;
            if (done) return StreamEnd.Done;
            if (result.IsCompleted) return StreamEnd.Eof;
        }
    }

    /// <summary>Writes one data line on as an event; returns true at [DONE]. Comments and event: lines are dropped (New API).</summary>
    private static bool Forward(ReadOnlySequence<byte> line, PipeWriter writer, IUsageTap tap, RelayRequest request)
    {
        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (!SseLineReader.TryGetData(span, out var payload)) return false;
        switch (tap.Observe(payload))
        {
            case FrameKind.Done:
                return true;
            case FrameKind.UsageOnly when request.ClientWantsUsage == false:
                return false;
            default:
                writer.Write("data: "u8);
                writer.Write(payload);
                writer.Write("\n\n"u8);
                return false;
        }
    }

    private static async Task FinishAsync(PipeWriter writer, StreamEnd end, IUsageTap tap, RelayRequest request, Func<IUsageTap, string> syntheticUsage)
    {
        switch (end)
        {
            case StreamEnd.ClientGone:
                return;
            case StreamEnd.Done or StreamEnd.Eof:
                // new-api: without stream_options the client still gets a usage chunk (ShouldIncludeUsage defaults to true).
                if (tap.Usage is null && request.ClientWantsUsage != false) WriteEvent(writer, syntheticUsage(tap));
                writer.Write("data: [DONE]\n\n"u8);
                break;
            default:
                WriteEvent(writer, $$"""{"error":{"message":"{{StreamError(end)}}","type":"new_api_error","param":"","code":"{{ErrorCodes.StreamInterrupted}}"} }""");
                break;
        }
        await writer.FlushAsync(CancellationToken.None);
    }

    private static void WriteEvent(PipeWriter writer, string json)
    {
        writer.Write("data: "u8);
        var bytes = Encoding.UTF8.GetByteCount(json);
        Encoding.UTF8.GetBytes(json, writer.GetSpan(bytes));
        writer.Advance(bytes);
        writer.Write("\n\n"u8);
    }

    internal static string StreamError(StreamEnd end) => end switch
    {
        StreamEnd.Timeout => "upstream stream timed out",
        StreamEnd.TooLarge => "upstream stream line too large",
        _ => "upstream stream ended unexpectedly",
    };
}
