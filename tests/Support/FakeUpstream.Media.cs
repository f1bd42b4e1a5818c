using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace NewApi.Tests.Support;

/// <summary>The fake provider's moderation, rerank, image, audio, Responses and realtime endpoints.</summary>
public sealed partial class FakeUpstream
{
    /// <summary>One MPEG-1 layer III frame header: 128 kbit/s, 48 kHz, no padding, no CRC; every frame is 384 bytes and 24 ms.</summary>
    private static readonly byte[] Mp3Header = [0xFF, 0xFB, 0x94, 0x64];
    public const int Mp3FrameBytes = 384;

    public int RerankTokens { get; set; } = 21;
    /// <summary>Frames of the speech answer (2500 = exactly 60 s).</summary>
    public int SpeechFrames { get; set; } = 2500;
    /// <summary>When set, the speech answer stops after half its frames until the test completes it.</summary>
    public TaskCompletionSource? SpeechGate { get; set; }
    /// <summary>The last multipart form the fake received: text fields, and files as (part name, file name, length, content type).</summary>
    public FakeForm? LastForm { get; private set; }
    /// <summary>Headers of the last realtime handshake, and the subprotocol it asked for.</summary>
    public IReadOnlyDictionary<string, string>? LastRealtimeHeaders { get; private set; }
    public string? LastRealtimePath { get; private set; }
    public int RealtimeInputTokens { get; set; } = 100;
    public int RealtimeOutputTokens { get; set; } = 50;
    public int RealtimeAudioInputTokens { get; set; } = 60;
    public int RealtimeAudioOutputTokens { get; set; } = 40;

    private async Task<bool> TryMediaAsync(HttpContext ctx, string path, JsonNode? json, string model, bool stream, FakeFault fault)
    {
        if (path.EndsWith("/moderations", StringComparison.Ordinal))
            await WriteJsonAsync(ctx, $$"""{"id":"modr-fake","model":{{Str(model)}},"results":[{"flagged":false,"categories":{},"category_scores":{} }]}""");
        else if (path.EndsWith("/rerank", StringComparison.Ordinal))
            await WriteJsonAsync(ctx, $$"""{"model":{{Str(model)}},"results":[{"index":1,"relevance_score":0.92},{"index":0,"relevance_score":0.11}],"usage":{"total_tokens":{{RerankTokens}} } }""");
        else if (path.EndsWith("/images/generations", StringComparison.Ordinal))
            await ImageAsync(ctx, model, (int?)json?["n"] ?? 1, stream);
        else if (path.EndsWith("/images/edits", StringComparison.Ordinal))
        {
            if (ctx.Request.HasFormContentType) model = (LastForm = await ReadFormAsync(ctx)).Fields.GetValueOrDefault("model") ?? model;
            await ImageAsync(ctx, model, 1, false);
        }
        else if (path.EndsWith("/audio/speech", StringComparison.Ordinal))
            await SpeechAsync(ctx, json?["stream_format"]?.GetValue<string>() == "sse");
        else if (path.EndsWith("/audio/transcriptions", StringComparison.Ordinal) || path.EndsWith("/audio/translations", StringComparison.Ordinal))
            await TranscriptionAsync(ctx, LastForm = await ReadFormAsync(ctx));
        else if (path.Contains("/responses", StringComparison.Ordinal))
            await ResponsesAsync(ctx, path, model, stream);
        else return false;
        return true;
    }

    private static async Task<FakeForm> ReadFormAsync(HttpContext ctx)
    {
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var fields = form.Where(f => f.Key.Length > 0).ToDictionary(f => f.Key, f => f.Value.ToString());
        var files = form.Files.Select(f => new FakeFile(f.Name, f.FileName, f.Length, f.ContentType)).ToList();
        return new FakeForm(fields, files, ctx.Request.ContentType ?? "");
    }

    private async Task ImageAsync(HttpContext ctx, string model, int n, bool stream)
    {
        var usage = model.StartsWith("gpt-image", StringComparison.Ordinal)
            ? ""","usage":{"input_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40},"output_tokens":1000,"total_tokens":1050}""" : "";
        if (!stream)
        {
            var data = string.Join(",", Enumerable.Range(0, n).Select(i => $$"""{"url":"https://images.example/{{i}}.png"}"""));
            await WriteJsonAsync(ctx, $$"""{"created":{{Created}},"data":[{{data}}]{{usage}}}""");
            return;
        }
        await StartStreamAsync(ctx);
        await SendAsync(ctx, "event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"AAAA\",\"partial_image_index\":0}\n\n");
        await SendAsync(ctx, "event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"QUJD\"" + usage + "}\n\n");
    }

    /// <summary>MP3 frames flushed in batches of 250 (6 s of audio), optionally held at half-way by <see cref="SpeechGate"/>.</summary>
    private async Task SpeechAsync(HttpContext ctx, bool sse)
    {
        if (sse)
        {
            await StartStreamAsync(ctx);
            await SendAsync(ctx, "data: {\"type\":\"speech.audio.delta\",\"audio\":\"AAAA\"}\n\n");
            await SendAsync(ctx, "data: {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":14,\"output_tokens\":101,\"total_tokens\":115}}\n\n");
            return;
        }
        ctx.Response.ContentType = "audio/mpeg";
        var frame = new byte[Mp3FrameBytes];
        Mp3Header.CopyTo(frame, 0);
        for (var i = 0; i < SpeechFrames; i++)
        {
            await ctx.Response.Body.WriteAsync(frame, ctx.RequestAborted);
            if ((i + 1) % 250 != 0) continue;
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            if (i + 1 == SpeechFrames / 2 && SpeechGate is { } gate) await gate.Task.WaitAsync(ctx.RequestAborted);
        }
    }

    private static async Task TranscriptionAsync(HttpContext ctx, FakeForm form)
    {
        var format = form.Fields.GetValueOrDefault("response_format") ?? "json";
        var model = form.Fields.GetValueOrDefault("model") ?? "";
        if (format is "text" or "srt" or "vtt")
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            var text = format switch
            {
                "srt" => "1\n00:00:00,000 --> 00:00:02,000\nhello world\n",
                "vtt" => "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nhello world\n",
                _ => "hello world\n",
            };
            await ctx.Response.WriteAsync(text, ctx.RequestAborted);
            return;
        }
        if (form.Fields.GetValueOrDefault("stream") == "true")
        {
            await StartStreamAsync(ctx);
            await SendAsync(ctx, "data: {\"type\":\"transcript.text.delta\",\"delta\":\"hello\"}\n\n");
            await SendAsync(ctx, "data: {\"type\":\"transcript.text.done\",\"text\":\"hello world\",\"usage\":{\"type\":\"tokens\",\"input_tokens\":120,"
                + "\"input_token_details\":{\"text_tokens\":20,\"audio_tokens\":100},\"output_tokens\":30,\"total_tokens\":150}}\n\n");
            return;
        }
        var usage = model.StartsWith("gpt-4o", StringComparison.Ordinal)
            ? ""","usage":{"type":"tokens","input_tokens":120,"input_token_details":{"text_tokens":20,"audio_tokens":100},"output_tokens":30,"total_tokens":150}"""
            : "";
        await WriteJsonAsync(ctx, $$"""{"text":"hello world"{{usage}}}""");
    }

    private async Task ResponsesAsync(HttpContext ctx, string path, string model, bool stream)
    {
        var usage = $$"""{"input_tokens":{{PromptTokens}},"input_tokens_details":{"cached_tokens":{{CachedTokens}}},"output_tokens":{{CompletionTokens}},"output_tokens_details":{"reasoning_tokens":2},"total_tokens":{{PromptTokens + CompletionTokens}}}""";
        var output = $$"""[{"type":"message","id":"msg_fake","role":"assistant","content":[{"type":"output_text","text":{{Str(ReplyText)}}}]}]""";
        if (path.EndsWith("/compact", StringComparison.Ordinal))
        {
            await WriteJsonAsync(ctx, $$"""{"id":"resp_compacted","object":"response.compaction","model":{{Str(model)}},"output":{{output}},"usage":{{usage}}}""");
            return;
        }
        var id = path.Split('/').SkipWhile(p => p != "responses").Skip(1).FirstOrDefault();
        if (id is not null)
        {
            if (!id.StartsWith("resp_fake", StringComparison.Ordinal))
                await WriteJsonAsync(ctx, """{"error":{"message":"Response not found","type":"invalid_request_error","code":"not_found"}}""", 404);
            else if (ctx.Request.Method == "DELETE") await WriteJsonAsync(ctx, $$"""{"id":{{Str(id)}},"object":"response.deleted","deleted":true}""");
            else await WriteJsonAsync(ctx, $$"""{"id":{{Str(id)}},"object":"response","status":"completed","output":{{output}}}""");
            return;
        }
        var body = $$"""{"id":"resp_fake1","object":"response","status":"completed","model":{{Str(model)}},"output":{{output}},"usage":{{usage}}}""";
        if (!stream)
        {
            await WriteJsonAsync(ctx, body);
            return;
        }
        if (DetailedResponsesStream)
        {
            await StreamResponsesTextAsync(ctx, model, body);
            return;
        }
        await StartStreamAsync(ctx);
        await SendAsync(ctx, "event: response.created\ndata: " + $$"""{"type":"response.created","response":{"id":"resp_fake1","object":"response","status":"in_progress","model":{{Str(model)}} } }""" + "\n\n");
        foreach (var piece in ReplyPieces)
            await SendAsync(ctx, "event: response.output_text.delta\ndata: " + $$"""{"type":"response.output_text.delta","item_id":"msg_fake","delta":{{Str(piece)}}}""" + "\n\n");
        await SendAsync(ctx, "event: response.completed\ndata: " + $$"""{"type":"response.completed","response":{{body}}}""" + "\n\n");
    }

    /// <summary>
    /// A realtime session: session.created on connect; each response.create answers response.created and a
    /// response.done with usage (without usage when the event's response.metadata.nousage is set); anything else is echoed.
    /// </summary>
    private async Task RealtimeAsync(HttpContext ctx)
    {
        LastRealtimeHeaders = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        LastRealtimePath = ctx.Request.Path + ctx.Request.QueryString;
        var protocols = ctx.WebSockets.WebSocketRequestedProtocols;
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync(protocols.Contains("realtime") ? "realtime" : null);
        await SendTextAsync(ws, """{"type":"session.created","session":{"id":"sess_fake","input_audio_format":"pcm16"}}""");
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (ws.State == WebSocketState.Open)
        {
            WebSocketReceiveResult result;
            var message = new MemoryStream();
            try
            {
                do
                {
                    result = await ws.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
            }
            catch (WebSocketException)
            {
                return;
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }
            var text = Encoding.UTF8.GetString(message.ToArray());
            var type = JsonNode.Parse(text)?["type"]?.GetValue<string>();
            if (type != "response.create")
            {
                await SendTextAsync(ws, JsonSerializer.Serialize(new { type = "echo", received = type }));
                continue;
            }
            count++;
            await SendTextAsync(ws, $$"""{"type":"response.created","response":{"id":"resp_rt{{count}}","status":"in_progress"} }""");
            if (text.Contains("nousage", StringComparison.Ordinal))
            {
                // one second of pcm16 audio and some text, then a response.done without usage
                await SendTextAsync(ws, """{"type":"response.output_text.delta","delta":"Hello there"}""");
                await SendTextAsync(ws, $$"""{"type":"response.audio.delta","delta":"{{Convert.ToBase64String(new byte[48_000])}}"}""");
                await SendTextAsync(ws, $$"""{"type":"response.done","response":{"id":"resp_rt{{count}}","status":"completed"} }""");
                continue;
            }
            await SendTextAsync(ws, $$"""{"type":"response.done","response":{"id":"resp_rt{{count}}","status":"completed","usage":{"total_tokens":{{RealtimeInputTokens + RealtimeOutputTokens}},"input_tokens":{{RealtimeInputTokens}},"output_tokens":{{RealtimeOutputTokens}},"input_token_details":{"cached_tokens":0,"text_tokens":{{RealtimeInputTokens - RealtimeAudioInputTokens}},"audio_tokens":{{RealtimeAudioInputTokens}} },"output_token_details":{"text_tokens":{{RealtimeOutputTokens - RealtimeAudioOutputTokens}},"audio_tokens":{{RealtimeAudioOutputTokens}} } } } }""");
        }
    }

    private static Task SendTextAsync(WebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
}

public sealed record FakeForm(IReadOnlyDictionary<string, string> Fields, IReadOnlyList<FakeFile> Files, string ContentType);

public sealed record FakeFile(string Name, string FileName, long Length, string ContentType);
