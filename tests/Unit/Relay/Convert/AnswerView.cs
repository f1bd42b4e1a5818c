using System.Text;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

internal sealed record ToolCallView(string Id, string Name, string Args);

/// <summary>
/// What a client SDK reconstructs from a response or a stream, read the way each SDK reads it (test-side code, independent
/// of the converters). Finish is normalised to stop / length / tool / filter; usage to prompt-including-cache semantics.
/// </summary>
internal sealed class AnswerView
{
    public StringBuilder Text { get; } = new();
    public StringBuilder Thinking { get; } = new();
    public List<ToolCallView> Calls { get; } = [];
    public string? Finish { get; set; }
    public long Prompt { get; set; }
    public long Completion { get; set; }
    public long CachedRead { get; set; }
    public string? Id { get; set; }

    public static AnswerView FromBody(WireFamily client, JsonObject body)
    {
        var v = new AnswerView();
        switch (client)
        {
            case WireFamily.OpenAiChat:
                v.Id = Str(body["id"]);
                var message = body["choices"]![0]!["message"]!;
                if (message["content"] is { } content) v.Text.Append(Str(content));
                if (message["reasoning_content"] is { } rc) v.Thinking.Append(Str(rc));
                foreach (var c in message["tool_calls"] as JsonArray ?? [])
                    v.Calls.Add(new ToolCallView(Str(c!["id"]), Str(c["function"]!["name"]), Str(c["function"]!["arguments"])));
                v.Finish = OpenAiFinish(Str(body["choices"]![0]!["finish_reason"]));
                v.OpenAiUsage(body["usage"]);
                break;
            case WireFamily.Claude:
                v.Id = Str(body["id"]);
                foreach (var b in body["content"]!.AsArray()) v.ClaudeBlock(b!.AsObject());
                v.Finish = ClaudeFinish(Str(body["stop_reason"]));
                v.ClaudeUsage(body["usage"]);
                break;
            case WireFamily.Gemini:
                v.GeminiChunk(body);
                break;
            default:
                v.ResponsesObject(body);
                break;
        }
        return v;
    }

    public static AnswerView FromStream(WireFamily client, string output)
    {
        var events = ParseSse(output);
        var v = new AnswerView();
        switch (client)
        {
            case WireFamily.OpenAiChat:
                v.OpenAiStream(events);
                break;
            case WireFamily.Claude:
                foreach (var e in events) SdkShape.ClaudeEvent(e);
                Assert.Equal("message_start", events[0].Event);
                Assert.Equal("message_stop", events[^1].Event);
                v.ClaudeStream(events);
                break;
            case WireFamily.Gemini:
                foreach (var e in events)
                {
                    SdkShape.GeminiResponse(e.Json);
                    v.GeminiChunk(e.Json);
                }
                break;
            default:
                SdkShape.ResponsesEvents(events);
                Assert.Equal("response.created", events[0].Event);
                var done = events.Single(e => e.Event is "response.completed" or "response.incomplete");
                Assert.Same(done, events[^1]);
                var streamedText = string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => Str(e.Json["delta"])));
                v.ResponsesObject(done.Json["response"]!.AsObject());
                Assert.Equal(v.Text.ToString(), streamedText);
                break;
        }
        return v;
    }

    private void OpenAiStream(List<SseEvent> events)
    {
        Assert.True(events[^1].IsDone, "OpenAI stream must end with [DONE]");
        var calls = new SortedDictionary<long, (string Id, string Name, StringBuilder Args)>();
        foreach (var e in events.Where(e => !e.IsDone))
        {
            var chunk = e.Json;
            SdkShape.OpenAiChunk(chunk);
            Id ??= Str(chunk["id"]);
            if (chunk["usage"] is JsonObject u) OpenAiUsage(u);
            if (chunk["choices"]!.AsArray() is not { Count: > 0 } choices) continue;
            var delta = choices[0]!["delta"]!;
            if (delta["content"] is JsonValue text) Text.Append(Str(text));
            if (delta["reasoning_content"] is JsonValue thinking) Thinking.Append(Str(thinking));
            foreach (var c in delta["tool_calls"] as JsonArray ?? [])
            {
                var index = Num(c!["index"]);
                if (!calls.TryGetValue(index, out var call)) calls[index] = call = (Str(c["id"]), Str(c["function"]!["name"]), new StringBuilder());
                if (c["function"]?["arguments"] is { } args) call.Args.Append(Str(args));
            }
            if (choices[0]!["finish_reason"] is { } f) Finish = OpenAiFinish(Str(f));
        }
        Calls.AddRange(calls.Values.Select(c => new ToolCallView(c.Id, c.Name, c.Args.ToString())));
    }

    private void ClaudeStream(List<SseEvent> events)
    {
        var blocks = new SortedDictionary<long, JsonObject>();
        JsonObject? start = null;
        foreach (var e in events)
        {
            var d = e.Json;
            switch (e.Event)
            {
                case "message_start":
                    Id = Str(d["message"]!["id"]);
                    start = d["message"]!["usage"]!.AsObject();
                    ClaudeUsage(start);
                    break;
                case "content_block_start":
                    blocks[Num(d["index"])] = d["content_block"]!.DeepClone().AsObject();
                    break;
                case "content_block_delta":
                    var b = blocks[Num(d["index"])];
                    var delta = d["delta"]!;
                    switch (Str(delta["type"]))
                    {
                        case "text_delta": b["text"] = Str(b["text"]) + Str(delta["text"]); break;
                        case "thinking_delta": b["thinking"] = Str(b["thinking"]) + Str(delta["thinking"]); break;
                        case "signature_delta": b["signature"] = Str(delta["signature"]); break;
                        case "input_json_delta": b["partial"] = (b["partial"] is { } p ? Str(p) : "") + Str(delta["partial_json"]); break;
                    }
                    break;
                case "message_delta":
                    Finish = ClaudeFinish(Str(d["delta"]!["stop_reason"]));
                    // The SDK overwrites the message_start usage with the fields message_delta carries.
                    var usage = d["usage"]!.AsObject();
                    var merged = start!.DeepClone().AsObject();
                    foreach (var (key, value) in usage) merged[key] = value?.DeepClone();
                    ClaudeUsage(merged);
                    break;
            }
        }
        foreach (var b in blocks.Values)
        {
            if (b["partial"] is { } partial) b["input"] = JsonNode.Parse(Str(partial));
            ClaudeBlock(b);
        }
    }

    private void ClaudeBlock(JsonObject b)
    {
        switch (Str(b["type"]))
        {
            case "text": Text.Append(Str(b["text"])); break;
            case "thinking": Thinking.Append(Str(b["thinking"])); break;
            case "tool_use": Calls.Add(new ToolCallView(Str(b["id"]), Str(b["name"]), b["input"]!.ToJsonString())); break;
        }
    }

    private void GeminiChunk(JsonObject chunk)
    {
        if (chunk["responseId"] is { } id) Id ??= Str(id);
        var cand = chunk["candidates"]![0]!;
        foreach (var p in cand["content"]!["parts"]!.AsArray())
        {
            if (p!["functionCall"] is JsonObject fc) Calls.Add(new ToolCallView(fc["id"] is { } i ? Str(i) : "", Str(fc["name"]), fc["args"]!.ToJsonString()));
            else if (p["thought"] is JsonValue t && t.GetValue<bool>()) Thinking.Append(Str(p["text"]));
            else if (p["text"] is { } text) Text.Append(Str(text));
        }
        if (cand["finishReason"] is { } f)
            Finish = Str(f) switch { "MAX_TOKENS" => "length", "STOP" => Calls.Count > 0 ? "tool" : "stop", _ => "filter" };
        if (chunk["usageMetadata"] is JsonObject u)
        {
            Prompt = Num(u["promptTokenCount"]);
            Completion = (u["candidatesTokenCount"] is { } c ? Num(c) : 0) + (u["thoughtsTokenCount"] is { } th ? Num(th) : 0);
            CachedRead = u["cachedContentTokenCount"] is { } cr ? Num(cr) : 0;
        }
    }

    private void ResponsesObject(JsonObject r)
    {
        SdkShape.ResponsesObject(r);
        Id = Str(r["id"]);
        foreach (var item in r["output"]!.AsArray())
        {
            switch (Str(item!["type"]))
            {
                case "message":
                    foreach (var c in item["content"]!.AsArray()) Text.Append(Str(c!["text"]));
                    break;
                case "reasoning":
                    foreach (var s in item["summary"]!.AsArray()) Thinking.Append(Str(s!["text"]));
                    break;
                case "function_call":
                    Calls.Add(new ToolCallView(Str(item["call_id"]), Str(item["name"]), Str(item["arguments"])));
                    break;
            }
        }
        Finish = Str(r["status"]) == "incomplete"
            ? (Str(r["incomplete_details"]!["reason"]) == "content_filter" ? "filter" : "length")
            : Calls.Count > 0 ? "tool" : "stop";
        var u = r["usage"]!;
        Prompt = Num(u["input_tokens"]);
        Completion = Num(u["output_tokens"]);
        CachedRead = Num(u["input_tokens_details"]!["cached_tokens"]);
    }

    private void OpenAiUsage(JsonNode? u)
    {
        Prompt = Num(u!["prompt_tokens"]);
        Completion = Num(u["completion_tokens"]);
        CachedRead = u["prompt_tokens_details"]?["cached_tokens"] is { } c ? Num(c) : 0;
    }

    private void ClaudeUsage(JsonNode? u)
    {
        var read = u!["cache_read_input_tokens"] is { } r ? Num(r) : 0;
        var write = u["cache_creation_input_tokens"] is { } w ? Num(w) : 0;
        Prompt = Num(u["input_tokens"]) + read + write;
        Completion = Num(u["output_tokens"]);
        CachedRead = read;
    }

    private static string OpenAiFinish(string f) => f switch { "tool_calls" => "tool", "content_filter" => "filter", "length" => "length", _ => "stop" };

    private static string ClaudeFinish(string f) => f switch { "tool_use" => "tool", "refusal" => "filter", "max_tokens" => "length", _ => "stop" };

    /// <summary>Compares what matters to a client: text, reasoning, tool calls (name + arguments JSON), finish, usage.</summary>
    public void AssertMatches(string text, string thinking, (string Name, string Args)[] calls, string finish, long prompt, long completion)
    {
        Assert.Equal(text, Text.ToString());
        Assert.Equal(thinking, Thinking.ToString());
        Assert.Equal(calls.Length, Calls.Count);
        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal(calls[i].Name, Calls[i].Name);
            SameJson(calls[i].Args, Calls[i].Args);
            Assert.False(string.IsNullOrEmpty(Calls[i].Id), "tool calls need an id the client can answer with");
        }
        Assert.Equal(finish, Finish);
        Assert.Equal(prompt, Prompt);
        Assert.Equal(completion, Completion);
    }
}
