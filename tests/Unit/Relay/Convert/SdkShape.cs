using System.Text.Json;
using System.Text.Json.Nodes;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>
/// Asserts the fields the official SDKs read are present with the right JSON types (anthropic-sdk Message,
/// openai ChatCompletion / ChatCompletionChunk / Response, google-genai GenerateContentResponse).
/// </summary>
internal static class SdkShape
{
    public static void ClaudeMessage(JsonNode? node)
    {
        var m = Assert.IsType<JsonObject>(node);
        Assert.StartsWith("", Str(m["id"]));
        Assert.Equal("message", Str(m["type"]));
        Assert.Equal("assistant", Str(m["role"]));
        Str(m["model"]);
        var content = Assert.IsType<JsonArray>(m["content"]);
        foreach (var b in content) ClaudeBlock(b);
        Assert.True(m.ContainsKey("stop_reason") && m.ContainsKey("stop_sequence"));
        if (m["stop_reason"] is not null) Assert.Contains(Str(m["stop_reason"]), (string[])["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"]);
        if (m["stop_sequence"] is not null) Str(m["stop_sequence"]);
        ClaudeUsage(m["usage"]);
    }

    public static void ClaudeUsage(JsonNode? node)
    {
        var u = Assert.IsType<JsonObject>(node);
        Num(u["input_tokens"]);
        Num(u["output_tokens"]);
        if (u["cache_read_input_tokens"] is { } r) Num(r);
        if (u["cache_creation_input_tokens"] is { } w) Num(w);
    }

    public static void ClaudeBlock(JsonNode? node)
    {
        var b = Assert.IsType<JsonObject>(node);
        switch (Str(b["type"]))
        {
            case "text": Str(b["text"]); break;
            case "thinking": Str(b["thinking"]); if (b["signature"] is { } sig) Str(sig); break;   // content_block_start may omit it
            case "redacted_thinking": Str(b["data"]); break;
            case "tool_use": Str(b["id"]); Str(b["name"]); Assert.IsType<JsonObject>(b["input"]); break;
            default: Assert.Fail("unexpected block " + b.ToJsonString()); break;
        }
    }

    /// <summary>Claude SSE: event name equals data.type, and each event carries what the SDK accumulator reads.</summary>
    public static void ClaudeEvent(SseEvent e)
    {
        var d = e.Json;
        Assert.Equal(e.Event, Str(d["type"]));
        switch (e.Event)
        {
            case "message_start": ClaudeMessage(d["message"]); break;
            case "content_block_start": Num(d["index"]); ClaudeBlock(d["content_block"]); break;
            case "content_block_delta":
                Num(d["index"]);
                var delta = d["delta"]!.AsObject();
                var field = Str(delta["type"]) switch
                {
                    "text_delta" => "text",
                    "thinking_delta" => "thinking",
                    "signature_delta" => "signature",
                    "input_json_delta" => "partial_json",
                    var t => throw new Xunit.Sdk.XunitException("unexpected delta " + t),
                };
                Str(delta[field]);
                break;
            case "content_block_stop": Num(d["index"]); break;
            case "message_delta":
                Assert.True(d["delta"]!.AsObject().ContainsKey("stop_reason"));
                Num(d["usage"]!["output_tokens"]);
                break;
            case "message_stop" or "ping": break;
            case "error": Str(d["error"]!["type"]); Str(d["error"]!["message"]); break;
            default: Assert.Fail("unexpected event " + e.Event); break;
        }
    }

    public static void OpenAiCompletion(JsonNode? node)
    {
        var c = Assert.IsType<JsonObject>(node);
        Str(c["id"]);
        Assert.Equal("chat.completion", Str(c["object"]));
        Num(c["created"]);
        Str(c["model"]);
        var choice = Assert.IsType<JsonObject>(Assert.Single(Assert.IsType<JsonArray>(c["choices"])));
        Num(choice["index"]);
        var message = Assert.IsType<JsonObject>(choice["message"]);
        Assert.Equal("assistant", Str(message["role"]));
        Assert.True(message.ContainsKey("content"));
        if (message["content"] is not null) Str(message["content"]);
        foreach (var call in message["tool_calls"] as JsonArray ?? [])
        {
            Str(call!["id"]);
            Assert.Equal("function", Str(call["type"]));
            Str(call["function"]!["name"]);
            Str(call["function"]!["arguments"]);
        }
        Assert.Contains(Str(choice["finish_reason"]), (string[])["stop", "length", "tool_calls", "content_filter"]);
        OpenAiUsage(c["usage"]);
    }

    public static void OpenAiUsage(JsonNode? node)
    {
        var u = Assert.IsType<JsonObject>(node);
        Num(u["prompt_tokens"]);
        Num(u["completion_tokens"]);
        Num(u["total_tokens"]);
    }

    public static void OpenAiChunk(JsonNode? node)
    {
        var c = Assert.IsType<JsonObject>(node);
        Str(c["id"]);
        Assert.Equal("chat.completion.chunk", Str(c["object"]));
        Num(c["created"]);
        Str(c["model"]);
        foreach (var choice in Assert.IsType<JsonArray>(c["choices"]))
        {
            Num(choice!["index"]);
            Assert.IsType<JsonObject>(choice["delta"]);
            Assert.True(choice.AsObject().ContainsKey("finish_reason"));
            if (choice["finish_reason"] is not null) Str(choice["finish_reason"]);
            foreach (var call in choice["delta"]!["tool_calls"] as JsonArray ?? [])
            {
                Num(call!["index"]);
                if (call["function"]?["arguments"] is { } args) Str(args);
            }
        }
        if (c["usage"] is { } usage) OpenAiUsage(usage);
    }

    public static void GeminiResponse(JsonNode? node)
    {
        var r = Assert.IsType<JsonObject>(node);
        foreach (var cand in Assert.IsType<JsonArray>(r["candidates"]))
        {
            var content = Assert.IsType<JsonObject>(cand!["content"]);
            Assert.Equal("model", Str(content["role"]));
            foreach (var part in Assert.IsType<JsonArray>(content["parts"]))
            {
                var p = Assert.IsType<JsonObject>(part);
                Assert.True(p.ContainsKey("text") || p.ContainsKey("functionCall") || p.ContainsKey("inlineData"), p.ToJsonString());
                if (p["functionCall"] is JsonObject fc) { Str(fc["name"]); Assert.IsType<JsonObject>(fc["args"]); }
            }
            if (cand["finishReason"] is { } f) Str(f);
        }
        if (r["usageMetadata"] is JsonObject u)
        {
            Num(u["promptTokenCount"]);
            Num(u["totalTokenCount"]);
        }
    }

    public static void ResponsesObject(JsonNode? node)
    {
        var r = Assert.IsType<JsonObject>(node);
        Assert.StartsWith("resp_", Str(r["id"]));
        Assert.Equal("response", Str(r["object"]));
        Num(r["created_at"]);
        Assert.Contains(Str(r["status"]), (string[])["completed", "incomplete", "in_progress", "failed"]);
        Str(r["model"]);
        foreach (var item in Assert.IsType<JsonArray>(r["output"]))
        {
            Str(item!["id"]);
            switch (Str(item["type"]))
            {
                case "message":
                    Assert.Equal("assistant", Str(item["role"]));
                    foreach (var c in Assert.IsType<JsonArray>(item["content"])) { Assert.Equal("output_text", Str(c!["type"])); Str(c["text"]); Assert.IsType<JsonArray>(c["annotations"]); }
                    break;
                case "function_call": Str(item["call_id"]); Str(item["name"]); Str(item["arguments"]); break;
                case "reasoning": Assert.IsType<JsonArray>(item["summary"]); break;
                default: Assert.Fail("unexpected item " + item.ToJsonString()); break;
            }
        }
        Assert.IsType<JsonArray>(r["tools"]);
        Assert.True(r.ContainsKey("usage") && r.ContainsKey("error") && r.ContainsKey("incomplete_details"));
        if (r["usage"] is JsonObject u)
        {
            Num(u["input_tokens"]);
            Num(u["output_tokens"]);
            Num(u["total_tokens"]);
            Num(u["input_tokens_details"]!["cached_tokens"]);
            Num(u["output_tokens_details"]!["reasoning_tokens"]);
        }
    }

    public static void ResponsesEvents(List<SseEvent> events)
    {
        var seq = -1L;
        foreach (var e in events)
        {
            var d = e.Json;
            Assert.Equal(e.Event, Str(d["type"]));
            var n = Num(d["sequence_number"]);
            Assert.True(n > seq, "sequence numbers must increase");
            seq = n;
            if (d["response"] is { } response) ResponsesObject(response);
            if (e.Event!.EndsWith(".delta", StringComparison.Ordinal)) { Str(d["item_id"]); Num(d["output_index"]); Str(d["delta"]); }
        }
    }
}
