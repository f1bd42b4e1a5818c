using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace NewApi.Tests.Support;

/// <summary>
/// Function calling in every dialect the fake speaks (OpenAI chat, Claude messages, Gemini, Responses): a request that
/// declares tools is answered with a call of its first tool (arguments <see cref="ToolArguments"/>, stream and not);
/// a request whose last message is a tool result gets the ordinary text answer. Usage is the same as a text answer's.
/// </summary>
public sealed partial class FakeUpstream
{
    /// <summary>The arguments of every tool call the fake makes (a JSON object; the stream sends it in two pieces).</summary>
    public string ToolArguments { get; set; } = """{"city":"Paris"}""";
    public const string ToolCallId = "call_fake1";
    public const string ClaudeToolUseId = "toolu_fake1";

    /// <summary>
    /// When set, a Responses text stream carries the full event sequence an official SDK accumulates (output item and
    /// content part added/done, output_index/content_index/sequence_number); otherwise the short legacy sequence.
    /// </summary>
    public bool DetailedResponsesStream { get; set; }

    private enum ToolDialect { Chat, Claude, Gemini, Responses }

    private async Task<bool> TryToolCallAsync(HttpContext ctx, string path, JsonNode? json, string model, bool stream, bool includeUsage)
    {
        if (json is not JsonObject request || DialectOf(path) is not { } dialect) return false;
        if (ToolNameOf(request, dialect) is not { } name || LastIsToolResult(request, dialect)) return false;
        var gemini = dialect == ToolDialect.Gemini;
        stream = gemini ? path.Contains(":streamGenerateContent", StringComparison.Ordinal) : stream;
        var answer = (dialect, stream) switch
        {
            (ToolDialect.Chat, false) => WriteJsonAsync(ctx, ChatToolBody(model, name)),
            (ToolDialect.Chat, true) => StreamChatToolAsync(ctx, model, name, includeUsage),
            (ToolDialect.Claude, false) => WriteJsonAsync(ctx, ClaudeToolBody(model, name)),
            (ToolDialect.Claude, true) => StreamClaudeToolAsync(ctx, model, name),
            (ToolDialect.Gemini, false) => WriteJsonAsync(ctx, GeminiToolBody(model, name)),
            (ToolDialect.Gemini, true) => StreamGeminiToolAsync(ctx, model, name),
            (_, false) => WriteJsonAsync(ctx, ResponsesToolBody(model, name)),
            _ => StreamResponsesToolAsync(ctx, model, name),
        };
        await answer;
        return true;
    }

    private static ToolDialect? DialectOf(string path) =>
        path.EndsWith("/chat/completions", StringComparison.Ordinal) ? ToolDialect.Chat
        : path.EndsWith("/messages", StringComparison.Ordinal) ? ToolDialect.Claude
        : path.Contains(":generateContent", StringComparison.Ordinal) || path.Contains(":streamGenerateContent", StringComparison.Ordinal) ? ToolDialect.Gemini
        : path.EndsWith("/responses", StringComparison.Ordinal) ? ToolDialect.Responses
        : null;

    /// <summary>The first declared tool's name, or null when the request declares none.</summary>
    private static string? ToolNameOf(JsonObject request, ToolDialect dialect)
    {
        if (request["tools"] is not JsonArray { Count: > 0 } tools) return null;
        var name = dialect switch
        {
            ToolDialect.Chat => tools[0]?["function"]?["name"],
            ToolDialect.Gemini => tools[0]?["functionDeclarations"]?[0]?["name"] ?? tools[0]?["function_declarations"]?[0]?["name"],
            _ => tools[0]?["name"],
        };
        return name?.GetValue<string>();
    }

    private static bool LastIsToolResult(JsonObject request, ToolDialect dialect)
    {
        switch (dialect)
        {
            case ToolDialect.Chat:
                return request["messages"] is JsonArray { Count: > 0 } m && m[^1]?["role"]?.GetValue<string>() == "tool";
            case ToolDialect.Claude:
                return request["messages"] is JsonArray { Count: > 0 } c && c[^1]?["content"] is JsonArray blocks
                    && blocks.Any(b => b?["type"]?.GetValue<string>() == "tool_result");
            case ToolDialect.Gemini:
                return request["contents"] is JsonArray { Count: > 0 } g && g[^1]?["parts"] is JsonArray parts
                    && parts.Any(p => p?["functionResponse"] is not null || p?["function_response"] is not null);
            default:
                return request["input"] is JsonArray { Count: > 0 } input && input[^1]?["type"]?.GetValue<string>() == "function_call_output";
        }
    }

    private string[] ArgumentPieces()
    {
        var cut = ToolArguments.IndexOf(':') + 1;
        return cut > 0 ? [ToolArguments[..cut], ToolArguments[cut..]] : [ToolArguments];
    }

    private string ChatToolBody(string model, string name) =>
        $$"""{"id":"chatcmpl-fake","object":"chat.completion","created":{{Created}},"model":{{Str(model)}},"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"{{ToolCallId}}","type":"function","function":{"name":{{Str(name)}},"arguments":{{Str(ToolArguments)}} } }]},"finish_reason":"tool_calls"}],"usage":{{UsageJson()}} }""";

    private async Task StreamChatToolAsync(HttpContext ctx, string model, string name, bool includeUsage)
    {
        await StartStreamAsync(ctx);
        var head = $$"""{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":{{Created}},"model":{{Str(model)}}""";
        await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"{{ToolCallId}}","type":"function","function":{"name":{{Str(name)}},"arguments":""} }]},"finish_reason":null}]}""" + "\n\n");
        foreach (var piece in ArgumentPieces())
            await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":{{Str(piece)}} } }]},"finish_reason":null}]}""" + "\n\n");
        await SendAsync(ctx, $$"""data: {{head}},"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""" + "\n\n");
        if (includeUsage) await SendAsync(ctx, $$"""data: {{head}},"choices":[],"usage":{{UsageJson()}} }""" + "\n\n");
        await SendAsync(ctx, "data: [DONE]\n\n");
    }

    private string ClaudeToolBody(string model, string name) =>
        $$"""{"id":"msg_fake","type":"message","role":"assistant","model":{{Str(model)}},"content":[{"type":"tool_use","id":"{{ClaudeToolUseId}}","name":{{Str(name)}},"input":{{ToolArguments}} }],"stop_reason":"tool_use","stop_sequence":null,"usage":{{UsageJson(anthropic: true)}} }""";

    private async Task StreamClaudeToolAsync(HttpContext ctx, string model, string name)
    {
        await StartStreamAsync(ctx);
        await SendAsync(ctx, "event: message_start\ndata: " + $$"""{"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","model":{{Str(model)}},"content":[],"stop_reason":null,"usage":{"input_tokens":{{PromptTokens}},"output_tokens":1} } }""" + "\n\n");
        await SendAsync(ctx, "event: content_block_start\ndata: " + $$"""{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"{{ClaudeToolUseId}}","name":{{Str(name)}},"input":{} } }""" + "\n\n");
        foreach (var piece in ArgumentPieces())
            await SendAsync(ctx, "event: content_block_delta\ndata: " + $$"""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":{{Str(piece)}} } }""" + "\n\n");
        await SendAsync(ctx, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        await SendAsync(ctx, "event: message_delta\ndata: " + $$"""{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":{{CompletionTokens}} } }""" + "\n\n");
        await SendAsync(ctx, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    private string GeminiToolBody(string model, string name) =>
        $$"""{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":{{Str(name)}},"args":{{ToolArguments}} } }]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":{{PromptTokens}},"candidatesTokenCount":{{CompletionTokens}},"totalTokenCount":{{PromptTokens + CompletionTokens}} },"modelVersion":{{Str(model)}} }""";

    /// <summary>Gemini streams a function call whole, in one chunk.</summary>
    private async Task StreamGeminiToolAsync(HttpContext ctx, string model, string name)
    {
        await StartStreamAsync(ctx);
        await SendAsync(ctx, "data: " + GeminiToolBody(model, name) + "\r\n\r\n");
    }

    private string ResponsesUsage() =>
        $$"""{"input_tokens":{{PromptTokens}},"input_tokens_details":{"cached_tokens":{{CachedTokens}} },"output_tokens":{{CompletionTokens}},"output_tokens_details":{"reasoning_tokens":0},"total_tokens":{{PromptTokens + CompletionTokens}} }""";

    private string ResponsesCallItem(string name, string status, string arguments) =>
        $$"""{"type":"function_call","id":"fc_fake1","call_id":"{{ToolCallId}}","name":{{Str(name)}},"arguments":{{Str(arguments)}},"status":"{{status}}"}""";

    private string ResponsesToolBody(string model, string name) =>
        $$"""{"id":"resp_fake1","object":"response","created_at":{{Created}},"status":"completed","model":{{Str(model)}},"output":[{{ResponsesCallItem(name, "completed", ToolArguments)}}],"usage":{{ResponsesUsage()}} }""";

    private async Task StreamResponsesToolAsync(HttpContext ctx, string model, string name)
    {
        await StartStreamAsync(ctx);
        var seq = 0;
        await ResponsesEventAsync(ctx, "response.created", $$""" "response":{"id":"resp_fake1","object":"response","created_at":{{Created}},"status":"in_progress","model":{{Str(model)}},"output":[]}""", seq++);
        await ResponsesEventAsync(ctx, "response.output_item.added", $$""" "output_index":0,"item":{{ResponsesCallItem(name, "in_progress", "")}}""", seq++);
        foreach (var piece in ArgumentPieces())
            await ResponsesEventAsync(ctx, "response.function_call_arguments.delta", $$""" "item_id":"fc_fake1","output_index":0,"delta":{{Str(piece)}}""", seq++);
        await ResponsesEventAsync(ctx, "response.function_call_arguments.done", $$""" "item_id":"fc_fake1","output_index":0,"arguments":{{Str(ToolArguments)}}""", seq++);
        await ResponsesEventAsync(ctx, "response.output_item.done", $$""" "output_index":0,"item":{{ResponsesCallItem(name, "completed", ToolArguments)}}""", seq++);
        await ResponsesEventAsync(ctx, "response.completed", $$""" "response":{{ResponsesToolBody(model, name)}}""", seq);
    }

    /// <summary>A Responses text stream with every event an SDK's accumulator reads (see <see cref="DetailedResponsesStream"/>).</summary>
    private async Task StreamResponsesTextAsync(HttpContext ctx, string model, string completedBody)
    {
        await StartStreamAsync(ctx);
        var seq = 0;
        const string Item = """ "item_id":"msg_fake","output_index":0,"content_index":0""";
        await ResponsesEventAsync(ctx, "response.created", $$""" "response":{"id":"resp_fake1","object":"response","created_at":{{Created}},"status":"in_progress","model":{{Str(model)}},"output":[]}""", seq++);
        await ResponsesEventAsync(ctx, "response.output_item.added", """ "output_index":0,"item":{"type":"message","id":"msg_fake","role":"assistant","status":"in_progress","content":[]}""", seq++);
        await ResponsesEventAsync(ctx, "response.content_part.added", Item + ""","part":{"type":"output_text","text":"","annotations":[]}""", seq++);
        foreach (var piece in ReplyPieces)
            await ResponsesEventAsync(ctx, "response.output_text.delta", Item + $$""","delta":{{Str(piece)}},"logprobs":[]""", seq++);
        await ResponsesEventAsync(ctx, "response.output_text.done", Item + $$""","text":{{Str(ReplyText)}},"logprobs":[]""", seq++);
        var part = $$"""{"type":"output_text","text":{{Str(ReplyText)}},"annotations":[]}""";
        await ResponsesEventAsync(ctx, "response.content_part.done", Item + ""","part":""" + part, seq++);
        await ResponsesEventAsync(ctx, "response.output_item.done", $$""" "output_index":0,"item":{"type":"message","id":"msg_fake","role":"assistant","status":"completed","content":[{{part}}]}""", seq++);
        await ResponsesEventAsync(ctx, "response.completed", """ "response":""" + completedBody, seq);
    }

    private static Task ResponsesEventAsync(HttpContext ctx, string type, string fields, int sequence) =>
        SendAsync(ctx, $"event: {type}\ndata: {{\"type\":\"{type}\",{fields},\"sequence_number\":{sequence}}}\n\n");
}
