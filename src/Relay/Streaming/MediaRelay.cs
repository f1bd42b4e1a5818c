using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NewApi.Config;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Answers relayed as they arrive, never buffered whole: SSE streams of the Responses, image and audio APIs line by line
/// with their own framing (<c>event:</c> lines kept, no <c>[DONE]</c> added), and binary or plain-text bodies (speech
/// audio, srt/vtt transcripts) chunk by chunk. One flush per upstream read; each read must arrive within
/// STREAMING_TIMEOUT. A cut after the first byte aborts the client connection (a binary body cannot carry an error).
/// </summary>
public sealed class MediaRelay(RelaySection config, TimeProvider time)
{
    private const int ChunkBytes = 16 * 1024;
    private const int MaxLineBytes = 128 * 1024 * 1024;

    /// <summary>The answers this relay serves instead of the JSON/chat-SSE paths.</summary>
    public static bool Handles(RelayRequest request, string media)
    {
        var sse = media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);
        return request.Kind switch
        {
            RouteKind.Responses or RouteKind.ResponsesCompact or RouteKind.ImageGenerations or RouteKind.ImageEdits => sse,
            RouteKind.AudioSpeech => true,
            RouteKind.AudioTranscription or RouteKind.AudioTranslation => !media.Equals("application/json", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    public Task<AttemptOutcome> RelayAsync(HttpContext ctx, HttpResponseMessage response, IUsageTap tap, RelayRequest request, string media,
        CancellationToken clientGone) =>
        media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            ? RelaySseAsync(ctx, response, tap, clientGone)
            : RelayBytesAsync(ctx, response, tap, clientGone);

    /// <summary>Copies status, headers and bytes; <paramref name="tap"/> sees each chunk when it is an <see cref="IByteTap"/>.</summary>
    public async Task<AttemptOutcome> RelayBytesAsync(HttpContext ctx, HttpResponseMessage response, IUsageTap? tap, CancellationToken clientGone)
    {
        var bytes = tap as IByteTap;
        await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, idle.Token);
        var end = StreamEnd.Eof;
        var deadline = ctx.Features.Get<RelayDeadline>();
        try
        {
            ctx.Response.StatusCode = (int)response.StatusCode;
            ResponseRelay.CopyHeaders(response, ctx.Response);
            ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            while (true)
            {
                idle.CancelAfter(RelayDeadline.Window(deadline, IdleTimeout));
                var read = await body.ReadAsync(buffer, linked.Token);
                if (read == 0) break;
                bytes?.ObserveBytes(buffer.AsSpan(0, read));
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, read), clientGone);
                await ctx.Response.Body.FlushAsync(clientGone);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            end = clientGone.IsCancellationRequested ? StreamEnd.ClientGone : idle.IsCancellationRequested ? StreamEnd.Timeout : StreamEnd.Interrupted;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Finish(ctx, tap, end, abortOnError: true);
    }

    /// <summary>Relays an SSE stream line by line as the upstream framed it; the tap sees every data payload.</summary>
    public async Task<AttemptOutcome> RelaySseAsync(HttpContext ctx, HttpResponseMessage response, IUsageTap? tap, CancellationToken clientGone)
    {
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: ChunkBytes, minimumReadSize: 4 * 1024, useZeroByteReads: true));
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, idle.Token);
        StreamEnd end;
        try
        {
            end = await PumpLinesAsync(reader, ctx.Response.BodyWriter, tap, idle, ctx.Features.Get<RelayDeadline>(), linked.Token, clientGone);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            end = clientGone.IsCancellationRequested ? StreamEnd.ClientGone : idle.IsCancellationRequested ? StreamEnd.Timeout : StreamEnd.Interrupted;
        }
        finally
        {
            await reader.CompleteAsync();
        }
        if (end is StreamEnd.Timeout or StreamEnd.Interrupted or StreamEnd.TooLarge) await WriteErrorEventAsync(ctx.Response.BodyWriter, end);
        return Finish(ctx, tap, end, abortOnError: false);
    }

    private TimeSpan IdleTimeout => TimeSpan.FromSeconds(Math.Max(1, config.StreamingTimeout));

    private async Task<StreamEnd> PumpLinesAsync(PipeReader reader, PipeWriter writer, IUsageTap? tap, CancellationTokenSource idle,
        RelayDeadline? deadline, CancellationToken read, CancellationToken clientGone)
    {
        while (true)
        {
            idle.CancelAfter(RelayDeadline.Window(deadline, IdleTimeout));
            var result = await reader.ReadAsync(read);
            var buffer = result.Buffer;
            while (SseLineReader.TryReadLine(ref buffer, out var line)) Forward(line, writer, tap);
            if (buffer.Length > MaxLineBytes) return StreamEnd.TooLarge;
            if (result.IsCompleted && !buffer.IsEmpty)
            {
                Forward(buffer, writer, tap);   // a last line without its newline
                buffer = buffer.Slice(buffer.End);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            var flush = await writer.FlushAsync(clientGone);
            if (flush.IsCanceled || flush.IsCompleted) return StreamEnd.ClientGone;
            if (result.IsCompleted) return StreamEnd.Eof;
        }
    }

    private static void Forward(ReadOnlySequence<byte> line, PipeWriter writer, IUsageTap? tap)
    {
        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (tap is not null && SseLineReader.TryGetData(span, out var payload)) tap.Observe(payload);
        writer.Write(span);
        writer.Write("\n"u8);
    }

    private static async Task WriteErrorEventAsync(PipeWriter writer, StreamEnd end)
    {
        var json = $$"""{"type":"error","code":"{{ErrorCodes.StreamInterrupted}}","message":"{{Message(end)}}","param":null}""";
        writer.Write("event: error\ndata: "u8);
        writer.Write(Encoding.UTF8.GetBytes(json));
        writer.Write("\n\n"u8);
        try
        {
            await writer.FlushAsync(CancellationToken.None);
        }
        catch (IOException)
        {
            // the client left meanwhile; nothing more to tell it
        }
    }

    private static AttemptOutcome Finish(HttpContext ctx, IUsageTap? tap, StreamEnd end, bool abortOnError)
    {
        var failed = end is StreamEnd.Timeout or StreamEnd.Interrupted or StreamEnd.TooLarge;
        if (!ctx.Response.HasStarted && failed)
        {
            // Nothing reached the client: a clean error the loop may retry elsewhere.
            ctx.Response.Headers.Clear();
            return new AttemptOutcome { Error = RelayError.Local(502, Message(end), ErrorCodes.StreamInterrupted, skipRetry: false) };
        }
        if (failed && abortOnError) ctx.Abort();
        var outcome = new AttemptOutcome
        {
            Started = true, ClientGone = end == StreamEnd.ClientGone, UpstreamUsage = tap?.Usage, DeliveredText = tap?.DeliveredText ?? "",
            ToolCalls = tap?.ToolCalls ?? 0, StreamEnd = end,
        };
        return failed ? outcome with { Error = RelayError.Local(502, Message(end), ErrorCodes.StreamInterrupted) } : outcome;
    }

    private static string Message(StreamEnd end) => end switch
    {
        StreamEnd.Timeout => "upstream stream timed out",
        StreamEnd.TooLarge => "upstream stream line too large",
        _ => "upstream stream ended unexpectedly",
    };
}
