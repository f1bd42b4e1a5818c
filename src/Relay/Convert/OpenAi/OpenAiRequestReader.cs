using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.OpenAi;

/// <summary>OpenAI Chat Completions request → <see cref="ConvRequest"/>.</summary>
internal static class OpenAiRequestReader
{
    public static ConvRequest Read(JsonObject body)
    {
        var req = new ConvRequest
        {
            Model = J.Str(body, "model"),
            Stream = J.Bool(body, "stream") ?? false,
            MaxTokens = J.Int(body, "max_completion_tokens") ?? J.Int(body, "max_tokens"),
            Temperature = J.Dbl(body, "temperature"),
            TopP = J.Dbl(body, "top_p"),
            TopK = J.Int(body, "top_k"),
            N = J.Int(body, "n"),
            Seed = J.Long(body, "seed"),
            PresencePenalty = J.Dbl(body, "presence_penalty"),
            FrequencyPenalty = J.Dbl(body, "frequency_penalty"),
            ParallelToolCalls = J.Bool(body, "parallel_tool_calls"),
            User = J.Str(body, "user") ?? J.Str(body, "safety_identifier"),
            Metadata = J.Obj(body, "metadata"),
        };
        req.Stop.AddRange(J.Strings(J.Get(body, "stop")));
        ReadMessages(req, J.Arr(body, "messages"));
        ReadTools(req, body);
        req.ResponseFormat = ReadFormat(J.Obj(body, "response_format"));
        req.Reasoning = ReadReasoning(body);
        return req;
    }

    private static void ReadMessages(ConvRequest req, JsonArray? messages)
    {
        if (messages is null) return;
        var legacyCalls = 0;
        foreach (var node in messages)
        {
            if (node is not JsonObject m) continue;
            switch (J.Str(m, "role"))
            {
                case "system" or "developer":
                    foreach (var p in ContentParts(J.Get(m, "content")))
                        if (p is TextPart t) req.System.Add(t);
                    break;
                case "assistant":
                    ReadAssistant(req, m, ref legacyCalls);
                    break;
                case "tool":
                    var callId = J.Str(m, "tool_call_id") ?? "";
                    req.Append(ConvRole.User, ToolResult(callId, J.Str(m, "name") ?? req.ToolNameFor(callId), J.Get(m, "content")));
                    break;
                case "function":
                    var name = J.Str(m, "name") ?? "";
                    req.Append(ConvRole.User, ToolResult("call_legacy_" + legacyCalls, name, J.Get(m, "content")));
                    break;
                default:
                    var parts = ContentParts(J.Get(m, "content"));
                    if (parts.Count == 0) continue;
                    foreach (var p in parts) req.Append(ConvRole.User, p);
                    break;
            }
        }
    }

    private static void ReadAssistant(ConvRequest req, JsonObject m, ref int legacyCalls)
    {
        var reasoning = J.Str(m, "reasoning_content") ?? J.Str(m, "reasoning");
        var parts = new List<ConvPart>();
        if (!string.IsNullOrEmpty(reasoning)) parts.Add(new ThinkingPart(reasoning));
        parts.AddRange(ContentParts(J.Get(m, "content")));
        if (J.Str(m, "refusal") is { Length: > 0 } refusal) parts.Add(new TextPart(refusal));
        if (J.Arr(m, "tool_calls") is { } calls)
        {
            foreach (var c in calls)
            {
                if (c is not JsonObject call) continue;
                var fn = J.Obj(call, "function");
                parts.Add(new ToolCallPart(J.Str(call, "id") ?? Ids.New("call_"), J.Str(fn, "name") ?? "", J.Str(fn, "arguments") ?? "{}"));
            }
        }
        else if (J.Obj(m, "function_call") is { } legacy)
        {
            legacyCalls++;
            parts.Add(new ToolCallPart("call_legacy_" + legacyCalls, J.Str(legacy, "name") ?? "", J.Str(legacy, "arguments") ?? "{}"));
        }
        if (parts.Count == 0) return;
        foreach (var p in parts) req.Append(ConvRole.Assistant, p);
    }

    private static ToolResultPart ToolResult(string callId, string? name, JsonNode? content)
    {
        var result = new ToolResultPart(callId) { Name = name };
        result.Content.AddRange(ContentParts(content));
        return result;
    }

    /// <summary>String content or an array of text / image_url / input_audio / file parts.</summary>
    public static List<ConvPart> ContentParts(JsonNode? content)
    {
        var parts = new List<ConvPart>();
        if (J.AsString(content) is { } s)
        {
            if (s.Length > 0) parts.Add(new TextPart(s));
            return parts;
        }
        if (content is not JsonArray arr) return parts;
        foreach (var node in arr)
        {
            if (node is not JsonObject p) continue;
            switch (J.Str(p, "type"))
            {
                case "text" or "input_text" or "output_text":
                    if (J.Str(p, "text") is { Length: > 0 } text) parts.Add(new TextPart(text) { CacheControl = J.Get(p, "cache_control") });
                    break;
                case "refusal":
                    if (J.Str(p, "refusal") is { Length: > 0 } r) parts.Add(new TextPart(r));
                    break;
                case "image_url":
                    var image = J.Get(p, "image_url");
                    var url = J.AsString(image) ?? J.Str(image as JsonObject, "url");
                    if (url is not null) parts.Add(Media(MediaKind.Image, url, J.Str(image as JsonObject, "detail"), J.Get(p, "cache_control")));
                    break;
                case "input_audio":
                    var audio = J.Obj(p, "input_audio");
                    parts.Add(new MediaPart(MediaKind.Audio) { Data = J.Str(audio, "data"), MimeType = DataUrl.AudioMime(J.Str(audio, "format")) });
                    break;
                case "file":
                    parts.Add(File(J.Obj(p, "file")));
                    break;
            }
        }
        return parts;
    }

    public static MediaPart Media(MediaKind kind, string url, string? detail, JsonNode? cacheControl)
    {
        var media = new MediaPart(kind) { Detail = detail, CacheControl = cacheControl };
        if (DataUrl.TryParse(url, out var mime, out var data))
        {
            media.MimeType = mime;
            media.Data = data;
        }
        else
        {
            media.Url = url;
        }
        return media;
    }

    private static MediaPart File(JsonObject? file)
    {
        var fileData = J.Str(file, "file_data");
        var media = fileData is not null && DataUrl.IsDataUrl(fileData)
            ? Media(MediaKind.Document, fileData, null, null)
            : new MediaPart(MediaKind.Document) { Data = fileData, MimeType = fileData is null ? null : "application/pdf" };
        media.FileId = J.Str(file, "file_id");
        media.FileName = J.Str(file, "filename");
        return media;
    }

    private static void ReadTools(ConvRequest req, JsonObject body)
    {
        if (J.Arr(body, "tools") is { } tools)
            foreach (var node in tools)
            {
                if (node is not JsonObject t) continue;
                if (J.Str(t, "type") is { } type && type != "function")
                {
                    req.Notes.Add("dropped tool type " + type);
                    continue;
                }
                if (J.Obj(t, "function") is { } fn) req.Tools.Add(Function(fn));
            }
        if (J.Arr(body, "functions") is { } functions)
            foreach (var node in functions)
                if (node is JsonObject fn) req.Tools.Add(Function(fn));
        if (J.Obj(body, "web_search_options") is { } web)
        {
            var location = J.Obj(J.Obj(web, "user_location"), "approximate");
            req.Tools.Add(new ConvTool(ToolKind.WebSearch, "web_search") { SearchContextSize = J.Str(web, "search_context_size"), UserLocation = location });
        }
        req.ToolChoice = ToolChoice(J.Get(body, "tool_choice") ?? J.Get(body, "function_call"));
    }

    private static ConvTool Function(JsonObject fn) => new(ToolKind.Function, J.Str(fn, "name") ?? "")
    {
        Description = J.Str(fn, "description"),
        Parameters = J.Obj(fn, "parameters"),
        Strict = J.Bool(fn, "strict"),
        CacheControl = J.Get(fn, "cache_control"),
    };

    public static ConvToolChoice? ToolChoice(JsonNode? choice)
    {
        if (J.AsString(choice) is { } s)
            return s switch
            {
                "none" => new ConvToolChoice(ToolChoiceMode.None),
                "required" or "any" => new ConvToolChoice(ToolChoiceMode.Required),
                _ => new ConvToolChoice(ToolChoiceMode.Auto),
            };
        if (choice is not JsonObject o) return null;
        var name = J.Str(J.Obj(o, "function"), "name") ?? J.Str(o, "name");
        return name is null ? new ConvToolChoice(ToolChoiceMode.Auto) : new ConvToolChoice(ToolChoiceMode.Function, name);
    }

    public static ConvResponseFormat? ReadFormat(JsonObject? rf)
    {
        switch (J.Str(rf, "type"))
        {
            case "json_object":
                return new ConvResponseFormat(FormatKind.JsonObject);
            case "json_schema":
                var js = J.Obj(rf, "json_schema") ?? rf;
                return new ConvResponseFormat(FormatKind.JsonSchema)
                {
                    Name = J.Str(js, "name"),
                    Description = J.Str(js, "description"),
                    Schema = J.Obj(js, "schema"),
                    Strict = J.Bool(js, "strict"),
                };
            default:
                return null;
        }
    }

    /// <summary><c>reasoning_effort</c>, or OpenRouter's <c>reasoning {effort, max_tokens, enabled, exclude}</c>.</summary>
    private static ConvReasoning? ReadReasoning(JsonObject body)
    {
        if (J.Str(body, "reasoning_effort") is { } effort)
            return new ConvReasoning { Enabled = effort != "none", Effort = effort, OpenAiNative = true };
        if (J.Obj(body, "reasoning") is not { } r) return null;
        var reasoning = new ConvReasoning
        {
            Effort = J.Str(r, "effort"),
            BudgetTokens = J.Int(r, "max_tokens"),
            Enabled = J.Bool(r, "enabled"),
            IncludeThoughts = J.Bool(r, "exclude") is { } exclude ? !exclude : null,
            OpenAiNative = true,
        };
        reasoning.Enabled ??= reasoning.Effort is not null || reasoning.BudgetTokens is not null ? reasoning.Effort != "none" : null;
        return reasoning;
    }
}
