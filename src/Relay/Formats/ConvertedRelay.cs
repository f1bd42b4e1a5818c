using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NewApi.Config;
using NewApi.Relay.Convert;
using NewApi.Relay.Errors;
using NewApi.Relay.Streaming;
using NewApi.Storage.Options;

namespace NewApi.Relay.Formats;

/// <summary>
/// Writes a converted upstream answer to the client in the client's dialect. Errors are read (bounded) and returned
/// for the retry decision; a JSON answer is converted whole; a stream goes event by event through a
/// <see cref="StreamTranslator"/> (one flush per network read, STREAMING_TIMEOUT between reads). Usage comes from the
/// translator; when the upstream reported none, the delivered text is handed to billing for its estimate.
/// </summary>
public sealed class ConvertedRelay(RelaySection config, OptionsStore options, TimeProvider time)
{
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxJsonBody = 256 * 1024 * 1024;
    private const int MaxLineBytes = 128 * 1024 * 1024;

    public async Task<AttemptOutcome> RelayAsync(HttpContext ctx, HttpResponseMessage response, WireFamily upstream, WireFamily client,
        bool stream, ResponseOptions options, CancellationToken clientGone)
    {
        var upstreamId = ResponseRelay.UpstreamRequestId(response);
        if (!response.IsSuccessStatusCode)
        {
            byte[] bytes;
            try
            {
                (bytes, _) = await ReadAsync(response, MaxErrorBody, clientGone);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                bytes = [];   // the error answer itself was cut: its status still classifies it
            }
            return new AttemptOutcome { Error = UpstreamErrorParser.Parse((int)response.StatusCode, bytes), UpstreamRequestId = upstreamId };
        }
        var media = ResponseRelay.MediaType(response);
        var outcome = media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            ? await StreamAsync(ctx, response, FormatConverter.CreateStreamTranslator(upstream, client, options), stream, options.GeminiJsonArray, clientGone)
            : await JsonAsync(ctx, response, upstream, client, stream, options, clientGone);
        return outcome with { UpstreamRequestId = upstreamId };
    }

    private static async Task<AttemptOutcome> JsonAsync(HttpContext ctx, HttpResponseMessage response, WireFamily upstream, WireFamily client,
        bool stream, ResponseOptions options, CancellationToken ct)
    {
        using var cut = RelayDeadline.Cut(ctx.Features.Get<RelayDeadline>(), ct);
        byte[] bytes;
        bool truncated;
        try
        {
            (bytes, truncated) = await ReadAsync(response, MaxJsonBody, cut?.Token ?? ct);
        }
        catch (OperationCanceledException) when (cut is { IsCancellationRequested: true } && !ct.IsCancellationRequested)
        {
            return new AttemptOutcome { Error = ResponseRelay.TimedOut() };
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
        {
            return new AttemptOutcome { Error = ResponseRelay.ReadFailed() };
        }
        if (truncated)
            return new AttemptOutcome { Error = RelayError.Local(502, "upstream response too large", ErrorCodes.ReadResponseBodyFailed, skipRetry: true) };
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null) return new AttemptOutcome { Error = RelayError.Local(502, "upstream answered with an unreadable body", ErrorCodes.BadResponseBody, skipRetry: false) };
        if (body["error"] is JsonObject || body["type"] is JsonValue type && type.TryGetValue<string>(out var t) && t == "error")
            return new AttemptOutcome { Error = UpstreamErrorParser.Parse(200, bytes) };
        if (stream)
        {
            // The upstream answered whole although a stream was asked for: the client still gets its stream.
            var translator = FormatConverter.CreateStreamTranslator(upstream, client, options);
            StartStream(ctx, options.GeminiJsonArray);
            translator.Feed(body, ctx.Response.BodyWriter);
            translator.Complete(ctx.Response.BodyWriter);
            var flushed = await ctx.Response.BodyWriter.FlushAsync(ct);
            return Finished(translator, flushed.IsCanceled ? StreamEnd.ClientGone : StreamEnd.Done);
        }
        ConvertedResponse converted;
        try
        {
            converted = FormatConverter.ConvertResponse(upstream, client, body, options);
        }
        catch (Exception e) when (IsConversionFault(e))
        {
            return new AttemptOutcome { Error = RelayError.Local(502, e is ConversionException ? e.Message : "upstream answer could not be converted",
                ErrorCodes.BadResponseBody, skipRetry: true) };
        }
        var output = ClientJson(converted.Body, bytes.Length + 256);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = output.WrittenCount;
        var gone = false;
        try
        {
            await ctx.Response.Body.WriteAsync(output.WrittenMemory, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            gone = true;
        }
        var usage = converted.Usage;
        return new AttemptOutcome
        {
            Started = true, ClientGone = gone, UpstreamUsage = usage.HasTokens ? ChatDialects.ToUsage(usage, upstream) : null,
            DeliveredText = usage.HasTokens ? "" : ResponseTextOf(converted.Body),
        };
    }

    private async Task<AttemptOutcome> StreamAsync(HttpContext ctx, HttpResponseMessage response, StreamTranslator translator, bool clientStreams,
        bool jsonArray, CancellationToken clientGone)
    {
        if (!clientStreams) return await CollectAsync(ctx, response, translator, clientGone);
        StartStream(ctx, jsonArray);
        var writer = ctx.Response.BodyWriter;
        var end = await PumpAsync(response, translator, writer, ctx.Features.Get<RelayDeadline>(), clientGone);
        if (end is StreamEnd.Done or StreamEnd.Eof) translator.Complete(writer);
        else if (end != StreamEnd.ClientGone) WriteStreamError(writer, translator.Client, SseRelay.StreamError(end));
        if (end != StreamEnd.ClientGone) await writer.FlushAsync(CancellationToken.None);
        var outcome = Finished(translator, end);
        return end is StreamEnd.Timeout or StreamEnd.Interrupted or StreamEnd.TooLarge
            ? outcome with { Error = RelayError.Local(502, SseRelay.StreamError(end), ErrorCodes.StreamInterrupted) }
            : outcome;
    }

    /// <summary>The upstream streamed but the client asked for one body: gather the events, answer once.</summary>
    private async Task<AttemptOutcome> CollectAsync(HttpContext ctx, HttpResponseMessage response, StreamTranslator translator, CancellationToken ct)
    {
        var sink = new ArrayBufferWriter<byte>();
        var end = await PumpAsync(response, translator, null, ctx.Features.Get<RelayDeadline>(), ct);
        if (end is StreamEnd.Timeout or StreamEnd.Interrupted or StreamEnd.TooLarge)
            return new AttemptOutcome { Error = RelayError.Local(502, SseRelay.StreamError(end), ErrorCodes.StreamInterrupted, skipRetry: false) };
        if (end == StreamEnd.ClientGone) return new AttemptOutcome { ClientGone = true };
        translator.Complete(sink);
        var output = ClientJson(translator.BuildResponse(), 4096);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = output.WrittenCount;
        await ctx.Response.Body.WriteAsync(output.WrittenMemory, CancellationToken.None);
        return Finished(translator, StreamEnd.Done);
    }

    private async Task<StreamEnd> PumpAsync(HttpResponseMessage response, StreamTranslator translator, PipeWriter? writer, RelayDeadline? deadline,
        CancellationToken clientGone)
    {
        var sink = writer ?? (IBufferWriter<byte>)new NullSink();
        await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, useZeroByteReads: true));
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, idle.Token);
        var timeout = TimeSpan.FromSeconds(Math.Max(1, config.StreamingTimeout));
        // No comments inside a Gemini answer (New API skips them too): its JSON-array form cannot carry them.
        var ping = translator.Client == WireFamily.Gemini ? null : KeepAlive.Interval(options);
        try
        {
            while (true)
            {
                idle.CancelAfter(RelayDeadline.Window(deadline, timeout));
                var result = writer is null ? await reader.ReadAsync(linked.Token) : await KeepAlive.ReadAsync(reader, writer, ping, time, linked.Token, clientGone);
                var buffer = result.Buffer;
                while (!translator.IsCompleted && SseLineReader.TryReadLine(ref buffer, out var line))
                {
                    var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
                    if (SseLineReader.TryGetData(span, out var payload)) translator.Feed(payload, sink);
                }
                if (!translator.IsCompleted && buffer.Length > MaxLineBytes) return StreamEnd.TooLarge;
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (writer is not null)
                {
                    var flush = await writer.FlushAsync(clientGone);
                    if (flush.IsCanceled || flush.IsCompleted) return StreamEnd.ClientGone;
                }
                if (translator.IsCompleted) return StreamEnd.Done;
                if (result.IsCompleted) return StreamEnd.Eof;
            }
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return StreamEnd.ClientGone;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            return StreamEnd.Timeout;
        }
        catch (IOException)
        {
            return clientGone.IsCancellationRequested ? StreamEnd.ClientGone : StreamEnd.Interrupted;
        }
        catch (HttpRequestException)
        {
            return StreamEnd.Interrupted;
        }
        catch (Exception e) when (IsConversionFault(e))
        {
            return StreamEnd.Interrupted;   // an event the converters cannot read: an error event, never a crash mid-stream
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>A Gemini client that streams without <c>alt=sse</c> gets one JSON array, written as it grows.</summary>
    private static void StartStream(HttpContext ctx, bool jsonArray) => SseRelay.StartResponse(ctx, jsonArray ? "application/json" : "text/event-stream");

    /// <summary>A converted body as the client gets it (relaxed escaping, as the OpenAI/Claude/Gemini APIs write text).</summary>
    private static ArrayBufferWriter<byte> ClientJson(JsonObject body, int sizeHint)
    {
        var output = new ArrayBufferWriter<byte>(sizeHint);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        body.WriteTo(w);
        return output;
    }

    /// <summary>What a malformed body (or event) can make the converters throw.</summary>
    internal static bool IsConversionFault(Exception e) => e is ConversionException or InvalidOperationException or FormatException
        or InvalidCastException or ArgumentException or KeyNotFoundException or NullReferenceException or IndexOutOfRangeException or OverflowException
        or JsonException;

    private static AttemptOutcome Finished(StreamTranslator translator, StreamEnd end) => new()
    {
        Started = true, ClientGone = end == StreamEnd.ClientGone, StreamEnd = end,
        UpstreamUsage = translator.HasUpstreamUsage ? ChatDialects.ToUsage(translator.Usage, translator.Upstream) : null,
        DeliveredText = translator.HasUpstreamUsage ? "" : translator.CompletionText, ToolCalls = translator.ToolCallCount,
    };

    /// <summary>The client's own error event after a cut or a timeout (never a fake normal ending).</summary>
    private static void WriteStreamError(PipeWriter writer, WireFamily client, string message)
    {
        var escaped = JsonEncodedText.Encode(message).ToString();
        var frame = client switch
        {
            WireFamily.Claude => "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"" + escaped + "\"}}\n\n",
            WireFamily.Gemini => "data: {\"error\":{\"code\":502,\"message\":\"" + escaped + "\",\"status\":\"UNAVAILABLE\"}}\n\n",
            WireFamily.Responses => "event: error\ndata: {\"type\":\"error\",\"code\":\"" + ErrorCodes.StreamInterrupted + "\",\"message\":\"" + escaped + "\"}\n\n",
            _ => "data: {\"error\":{\"message\":\"" + escaped + "\",\"type\":\"new_api_error\",\"param\":\"\",\"code\":\"" + ErrorCodes.StreamInterrupted + "\"}}\n\n",
        };
        var bytes = Encoding.UTF8.GetBytes(frame);
        writer.Write(bytes);
    }

    /// <summary>Every string under a "text" key of a converted body: what was delivered when the upstream reported no usage.</summary>
    private static string ResponseTextOf(JsonNode? node)
    {
        var text = new StringBuilder();
        Walk(node, text);
        return text.ToString();

        static void Walk(JsonNode? n, StringBuilder sb)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o)
                        if (k is "text" or "content" or "arguments" && v is JsonValue value && value.TryGetValue<string>(out var s)) sb.Append(s).Append('\n');
                        else Walk(v, sb);
                    break;
                case JsonArray a:
                    foreach (var item in a) Walk(item, sb);
                    break;
            }
        }
    }

    private static async Task<(byte[] Bytes, bool Truncated)> ReadAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var copy = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (copy.Length + read > max) return (copy.ToArray(), true);
            copy.Write(chunk, 0, read);
        }
        return (copy.ToArray(), false);
    }

    private sealed class NullSink : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];
        public void Advance(int count) { }
        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);
        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

        private Memory<byte> Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length) _scratch = new byte[sizeHint];
            return _scratch;
        }
    }
}
