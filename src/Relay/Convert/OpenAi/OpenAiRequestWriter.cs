using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.OpenAi;

/// <summary><see cref="ConvRequest"/> → OpenAI Chat Completions request (relay.md §4.4, §4.9).</summary>
internal static class OpenAiRequestWriter
{
    private const int MaxStop = 4;

    public static JsonObject Write(ConvRequest req, WriteContext ctx)
    {
        var body = new JsonObject();
        J.SetIf(body, "model", ctx.Model);
        body["messages"] = Messages(req, ctx);
        WriteSampling(req, body, ctx);
        WriteTools(req, body);
        if (req.ResponseFormat is { } rf) body["response_format"] = Format(rf);
        if (ReasoningMap.OpenAiEffort(req, ctx.Model, ctx.Notes) is { } effort) body["reasoning_effort"] = effort;
        J.SetIf(body, "user", req.User is { Length: <= 64 } user ? user : null);
        if (req.Metadata is { } md) body["metadata"] = J.Clone(md);
        if (req.Stream)
        {
            body["stream"] = true;
            if (ctx.Options.ForceStreamUsage) body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }
        return body;
    }

    private static void WriteSampling(ConvRequest req, JsonObject body, WriteContext ctx)
    {
        var reasoningModel = ReasoningMap.IsOpenAiReasoningModel(ctx.Model);
        if (req.MaxTokens is { } max) body[reasoningModel ? "max_completion_tokens" : "max_tokens"] = max;
        if (reasoningModel && (req.Temperature is not null || req.TopP is not null))
        {
            // relay.md §4.10: o-series and gpt-5 reject sampling parameters.
            ctx.Note("dropped temperature/top_p for a reasoning model");
        }
        else
        {
            J.SetIf(body, "temperature", req.Temperature);
            J.SetIf(body, "top_p", req.TopP);
        }
        if (req.TopK is { } k)
        {
            if (ctx.Options.OpenAiTopK) body["top_k"] = k;
            else ctx.Note("dropped top_k");
        }
        J.SetIf(body, "n", req.N);
        J.SetIf(body, "seed", req.Seed);
        J.SetIf(body, "presence_penalty", req.PresencePenalty);
        J.SetIf(body, "frequency_penalty", req.FrequencyPenalty);
        if (req.Stop.Count > MaxStop) ctx.Note("stop sequences truncated to 4");
        var stop = req.Stop.Take(MaxStop).ToList();
        if (stop.Count == 1) body["stop"] = stop[0];
        else if (stop.Count > 1) body["stop"] = J.StringArray(stop);
    }

    private static JsonArray Messages(ConvRequest req, WriteContext ctx)
    {
        var messages = new JsonArray();
        if (req.System.Count > 0)
        {
            var system = new JsonObject { ["role"] = "system" };
            system["content"] = ctx.Options.OpenAiCacheControl && req.System.Exists(t => t.CacheControl is not null)
                ? TextArray(req.System)
                : string.Join("\n", req.System.Select(t => t.Text));
            messages.Add((JsonNode)system);
        }
        foreach (var m in req.Messages)
        {
            if (m.Role == ConvRole.Assistant) messages.Add((JsonNode)Assistant(m, ctx));
            else AddUser(messages, m, ctx);
        }
        return messages;
    }

    private static JsonArray TextArray(IEnumerable<TextPart> parts)
    {
        var a = new JsonArray();
        foreach (var t in parts)
        {
            var o = new JsonObject { ["type"] = "text", ["text"] = t.Text };
            if (t.CacheControl is not null) o["cache_control"] = J.Clone(t.CacheControl);
            a.Add((JsonNode)o);
        }
        return a;
    }

    private static JsonObject Assistant(ConvMessage m, WriteContext ctx)
    {
        var msg = new JsonObject { ["role"] = "assistant" };
        var text = string.Concat(m.Parts.OfType<TextPart>().Select(t => t.Text));
        var calls = m.Parts.OfType<ToolCallPart>().ToList();
        msg["content"] = text.Length > 0 || calls.Count == 0 ? text : null;
        if (ctx.Options.OpenAiReasoningHistory && m.Parts.OfType<ThinkingPart>().Select(t => t.Text).Where(t => t.Length > 0).ToList() is { Count: > 0 } thoughts)
            msg["reasoning_content"] = string.Join("\n", thoughts);
        if (calls.Count > 0)
        {
            var arr = new JsonArray();
            foreach (var c in calls)
                arr.Add((JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments },
                });
            msg["tool_calls"] = arr;
        }
        return msg;
    }

    /// <summary>
    /// Tool results become <c>tool</c> messages first (OpenAI requires them right after the assistant's calls); images
    /// inside tool results, which a tool message cannot carry, follow in a user message with the user's own parts.
    /// </summary>
    private static void AddUser(JsonArray messages, ConvMessage m, WriteContext ctx)
    {
        var userParts = new List<ConvPart>();
        foreach (var part in m.Parts)
        {
            if (part is not ToolResultPart r)
            {
                userParts.Add(part);
                continue;
            }
            var text = r.JoinedText();
            var media = r.Content.OfType<MediaPart>().ToList();
            if (media.Count > 0 && text.Length == 0) text = "(the tool returned the attachment that follows)";
            messages.Add((JsonNode)new JsonObject { ["role"] = "tool", ["tool_call_id"] = r.CallId, ["content"] = text });
            userParts.AddRange(media);
        }
        if (userParts.Count == 0) return;
        var content = UserContent(userParts, ctx);
        messages.Add((JsonNode)new JsonObject { ["role"] = "user", ["content"] = content });
    }

    private static JsonNode UserContent(List<ConvPart> parts, WriteContext ctx)
    {
        if (parts.TrueForAll(p => p is TextPart { CacheControl: null }) || (!ctx.Options.OpenAiCacheControl && parts.TrueForAll(p => p is TextPart)))
            return string.Join("\n", parts.Cast<TextPart>().Select(t => t.Text));
        var arr = new JsonArray();
        foreach (var p in parts)
        {
            switch (p)
            {
                case TextPart t:
                    var o = new JsonObject { ["type"] = "text", ["text"] = t.Text };
                    if (ctx.Options.OpenAiCacheControl && t.CacheControl is not null) o["cache_control"] = J.Clone(t.CacheControl);
                    arr.Add((JsonNode)o);
                    break;
                case MediaPart media:
                    if (OpenAiMedia.Part(media, ctx) is { } node) arr.Add((JsonNode)node);
                    break;
            }
        }
        return arr;
    }

    private static void WriteTools(ConvRequest req, JsonObject body)
    {
        var tools = new JsonArray();
        foreach (var t in req.Tools)
        {
            if (t.Kind == ToolKind.WebSearch)
            {
                body["web_search_options"] = WebSearch(t);
                continue;
            }
            var fn = new JsonObject { ["name"] = t.Name };
            J.SetIf(fn, "description", t.Description);
            fn["parameters"] = J.Clone(t.Parameters) ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            J.SetIf(fn, "strict", t.Strict);
            tools.Add((JsonNode)new JsonObject { ["type"] = "function", ["function"] = fn });
        }
        if (tools.Count > 0) body["tools"] = tools;
        if (req.ToolChoice is { } choice && (tools.Count > 0 || choice.Mode == ToolChoiceMode.None))
            body["tool_choice"] = choice.Mode switch
            {
                ToolChoiceMode.None => "none",
                ToolChoiceMode.Required => "required",
                ToolChoiceMode.Function => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = choice.Name } },
                _ => "auto",
            };
        if (tools.Count > 0) J.SetIf(body, "parallel_tool_calls", req.ParallelToolCalls);
    }

    private static JsonObject WebSearch(ConvTool t)
    {
        var o = new JsonObject();
        J.SetIf(o, "search_context_size", t.SearchContextSize);
        if (t.UserLocation is { } loc) o["user_location"] = new JsonObject { ["type"] = "approximate", ["approximate"] = J.Clone(loc) };
        return o;
    }

    public static JsonObject Format(ConvResponseFormat rf)
    {
        if (rf.Kind != FormatKind.JsonSchema) return new JsonObject { ["type"] = rf.Kind == FormatKind.JsonObject ? "json_object" : "text" };
        var js = new JsonObject { ["name"] = rf.Name ?? "response" };
        J.SetIf(js, "description", rf.Description);
        js["schema"] = J.Clone(rf.Schema) ?? new JsonObject { ["type"] = "object" };
        J.SetIf(js, "strict", rf.Strict);
        return new JsonObject { ["type"] = "json_schema", ["json_schema"] = js };
    }
}
