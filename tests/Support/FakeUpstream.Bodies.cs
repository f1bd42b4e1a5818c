using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace NewApi.Tests.Support;

/// <summary>Response bodies and streams of the fake provider.</summary>
public sealed partial class FakeUpstream
{
    private const long Created = 1_735_689_600;

    private string UsageJson(bool anthropic = false) => anthropic
        ? $$"""{"input_tokens":{{PromptTokens}},"output_tokens":{{CompletionTokens}}}"""
        : CachedTokens > 0
            ? $$"""{"prompt_tokens":{{PromptTokens}},"completion_tokens":{{CompletionTokens}},"total_tokens":{{PromptTokens + CompletionTokens}},"prompt_tokens_details":{"cached_tokens":{{CachedTokens}} } }"""
            : $$"""{"prompt_tokens":{{PromptTokens}},"completion_tokens":{{CompletionTokens}},"total_tokens":{{PromptTokens + CompletionTokens}}}""";

    private static string Str(string s) => JsonSerializer.Serialize(s);

    private string ChatBody(string model) =>
        $$"""{"id":"chatcmpl-fake","object":"chat.completion","created":{{Created}},"model":{{Str(model)}},"choices":[{"index":0,"message":{"role":"assistant","content":{{Str(ReplyText)}}},"finish_reason":"stop"}],"usage":{{UsageJson()}}}""";

    private string CompletionBody(string model) =>
        $$"""{"id":"cmpl-fake","object":"text_completion","created":{{Created}},"model":{{Str(model)}},"choices":[{"index":0,"text":{{Str(ReplyText)}},"finish_reason":"stop"}],"usage":{{UsageJson()}}}""";

    private string EmbeddingBody(string model, JsonNode? request)
    {
        var inputs = request?["input"] is JsonArray a ? a.Count : 1;
        var data = string.Join(",", Enumerable.Range(0, inputs).Select(i => $$"""{"object":"embedding","index":{{i}},"embedding":[0.1,0.2,0.3]}"""));
        return $$"""{"object":"list","data":[{{data}}],"model":{{Str(model)}},"usage":{"prompt_tokens":{{PromptTokens}},"total_tokens":{{PromptTokens}} } }""";
    }

    private static string ModelsBody() =>
        """{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"}]}""";

    private string ClaudeBody(string model) =>
        $$"""{"id":"msg_fake","type":"message","role":"assistant","model":{{Str(model)}},"content":[{"type":"text","text":{{Str(ReplyText)}}}],"stop_reason":"end_turn","stop_sequence":null,"usage":{{UsageJson(anthropic: true)}}}""";

    private string GeminiBody(string model, string text, bool withUsage) =>
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":{{Str(text)}}}]},"finishReason":"STOP","index":0}]{{(withUsage ? $$""","usageMetadata":{"promptTokenCount":{{PromptTokens}},"candidatesTokenCount":{{CompletionTokens}},"totalTokenCount":{{PromptTokens + CompletionTokens}}}""" : "")}},"modelVersion":{{Str(model)}}}""";

    private static async Task StartStreamAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await ctx.Response.StartAsync(ctx.RequestAborted);
    }

    private static async Task SendAsync(HttpContext ctx, string frame)
    {
        await ctx.Response.WriteAsync(frame, ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>Applies a mid-stream fault after the second piece. Returns true when the stream must end here.</summary>
    private static async Task<bool> MidStreamFaultAsync(HttpContext ctx, FakeFault fault, int piece)
    {
        if (piece != 2) return false;
        switch (fault)
        {
            case FakeFault.Stall:
                await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
                return true;
            case FakeFault.Cut:
                // Kestrel drops output still queued for the socket on Abort; give the two chunks time to leave first,
                // so the cut always lands mid-stream and never before the headers.
                await Task.Delay(TimeSpan.FromMilliseconds(200), ctx.RequestAborted);
                ctx.Abort();
                return true;
            case FakeFault.Malformed:
                await SendAsync(ctx, "data: {\"choices\":[{\"delta\":{\"content\": broken\n\n");
                return false;
            default:
                return false;
        }
    }

    private async Task StreamChatAsync(HttpContext ctx, string model, bool includeUsage, FakeFault fault)
    {
        await StartStreamAsync(ctx);
        var head = $$"""{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":{{Created}},"model":{{Str(model)}}""";
        await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""" + "\n\n");
        for (var i = 0; i < ReplyPieces.Length; i++)
        {
            if (await MidStreamFaultAsync(ctx, fault, i)) return;
            await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"delta":{"content":{{Str(ReplyPieces[i])}}},"finish_reason":null}]}""" + "\n\n");
        }
        await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n");
        if (includeUsage && fault is not (FakeFault.Malformed or FakeFault.NoUsage))
            await SendAsync(ctx, $$"""data: {{head}},"choices":[],"usage":{{UsageJson()}}}""" + "\n\n");
        await SendAsync(ctx, "data: [DONE]\n\n");
    }

    private async Task StreamCompletionAsync(HttpContext ctx, string model, bool includeUsage, FakeFault fault)
    {
        await StartStreamAsync(ctx);
        var head = $$"""{"id":"cmpl-fake","object":"text_completion","created":{{Created}},"model":{{Str(model)}}""";
        for (var i = 0; i < ReplyPieces.Length; i++)
        {
            if (await MidStreamFaultAsync(ctx, fault, i)) return;
            await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"text":{{Str(ReplyPieces[i])}},"finish_reason":null}]}""" + "\n\n");
        }
        if (includeUsage && fault is not (FakeFault.Malformed or FakeFault.NoUsage))
            await SendAsync(ctx, $$"""data: {{head}},"choices":[],"usage":{{UsageJson()}}}""" + "\n\n");
        await SendAsync(ctx, "data: [DONE]\n\n");
    }

    private async Task StreamClaudeAsync(HttpContext ctx, string model, FakeFault fault)
    {
        await StartStreamAsync(ctx);
        await SendAsync(ctx, "event: message_start\ndata: " + $$"""{"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","model":{{Str(model)}},"content":[],"stop_reason":null,"usage":{"input_tokens":{{PromptTokens}},"output_tokens":1} } }""" + "\n\n");
        await SendAsync(ctx, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (var i = 0; i < ReplyPieces.Length; i++)
        {
            if (await MidStreamFaultAsync(ctx, fault, i)) return;
            await SendAsync(ctx, "event: content_block_delta\ndata: " + $$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":{{Str(ReplyPieces[i])}} } }""" + "\n\n");
        }
        await SendAsync(ctx, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        await SendAsync(ctx, "event: message_delta\ndata: " + $$"""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{CompletionTokens}} } }""" + "\n\n");
        await SendAsync(ctx, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    private async Task StreamGeminiAsync(HttpContext ctx, string model, FakeFault fault)
    {
        await StartStreamAsync(ctx);
        for (var i = 0; i < ReplyPieces.Length; i++)
        {
            if (await MidStreamFaultAsync(ctx, fault, i)) return;
            await SendAsync(ctx, "data: " + GeminiBody(model, ReplyPieces[i], withUsage: i == ReplyPieces.Length - 1) + "\r\n\r\n");
        }
    }
}
