using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Claude;

/// <summary>
/// Claude Messages request → <see cref="ConvRequest"/>. Accepts what Claude Code sends: system as string or blocks with
/// <c>cache_control</c>, signed thinking blocks, empty text blocks next to them, <c>context_management</c>, <c>metadata</c>,
/// tool results carrying images.
/// </summary>
internal static class ClaudeRequestReader
{
    public static ConvRequest Read(JsonObject body)
    {
        var req = new ConvRequest
        {
            Model = J.Str(body, "model"),
            Stream = J.Bool(body, "stream") ?? false,
            MaxTokens = J.Int(body, "max_tokens"),
            Temperature = J.Dbl(body, "temperature"),
            TopP = J.Dbl(body, "top_p"),
            TopK = J.Int(body, "top_k"),
            User = J.Str(J.Obj(body, "metadata"), "user_id"),
        };
        req.Stop.AddRange(J.Strings(J.Get(body, "stop_sequences")));
        foreach (var p in Blocks(J.Get(body, "system"), req))
            if (p is TextPart t) req.System.Add(t);
        if (J.Arr(body, "messages") is { } messages)
            foreach (var node in messages)
            {
                if (node is not JsonObject m) continue;
                var roleName = J.Str(m, "role");
                if (roleName == "system")
                {
                    // Claude Code puts a system message among the messages (its environment block): it is system text.
                    foreach (var p in Blocks(J.Get(m, "content"), req))
                        if (p is TextPart t) req.System.Add(t);
                    continue;
                }
                var role = roleName == "assistant" ? ConvRole.Assistant : ConvRole.User;
                foreach (var p in Blocks(J.Get(m, "content"), req)) req.Append(role, p);
            }
        ReadTools(req, body);
        ReadOutputConfig(req, body);
        foreach (var key in (string[])["context_management", "container", "mcp_servers"])
            if (body.ContainsKey(key)) req.Notes.Add("dropped " + key);
        return req;
    }

    public static List<ConvPart> Blocks(JsonNode? content, ConvRequest? req)
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
            if (node is not JsonObject b) continue;
            if (Block(b, req) is { } part) parts.Add(part);
        }
        return parts;
    }

    private static ConvPart? Block(JsonObject b, ConvRequest? req)
    {
        var type = J.Str(b, "type");
        switch (type)
        {
            case "text":
                // Claude Code sends empty text blocks beside thinking blocks; no dialect accepts an empty text part.
                return J.Str(b, "text") is { Length: > 0 } text ? new TextPart(text) { CacheControl = J.Get(b, "cache_control") } : null;
            case "image" or "document":
                return Media(b, type == "image" ? MediaKind.Image : MediaKind.Document);
            case "thinking":
                return new ThinkingPart(J.Str(b, "thinking") ?? "") { Signature = J.Str(b, "signature") };
            case "redacted_thinking":
                return new ThinkingPart("") { RedactedData = J.Str(b, "data") };
            case "tool_use":
                var input = J.Get(b, "input");
                return new ToolCallPart(J.Str(b, "id") ?? Ids.New("toolu_"), J.Str(b, "name") ?? "", input is null ? "{}" : J.ToJson(input))
                {
                    CacheControl = J.Get(b, "cache_control"),
                };
            case "tool_result":
                var result = new ToolResultPart(J.Str(b, "tool_use_id") ?? "")
                {
                    IsError = J.Bool(b, "is_error") ?? false,
                    CacheControl = J.Get(b, "cache_control"),
                };
                result.Name = req?.ToolNameFor(result.CallId);
                result.Content.AddRange(Blocks(J.Get(b, "content"), null).Where(p => p is TextPart or MediaPart));
                return result;
            default:
                req?.Notes.Add("dropped content block " + type);
                return null;
        }
    }

    private static MediaPart Media(JsonObject b, MediaKind kind)
    {
        var source = J.Obj(b, "source");
        var media = new MediaPart(kind) { CacheControl = J.Get(b, "cache_control"), FileName = J.Str(b, "title") };
        switch (J.Str(source, "type"))
        {
            case "base64":
                media.MimeType = J.Str(source, "media_type");
                media.Data = J.Str(source, "data");
                break;
            case "url":
                media.Url = J.Str(source, "url");
                break;
            case "file":
                media.FileId = J.Str(source, "file_id");
                break;
            case "text":
                media.MimeType = "text/plain";
                media.TextData = J.Str(source, "data");
                break;
        }
        return media;
    }

    private static void ReadTools(ConvRequest req, JsonObject body)
    {
        if (J.Arr(body, "tools") is { } tools)
            foreach (var node in tools)
            {
                if (node is not JsonObject t) continue;
                var type = J.Str(t, "type");
                if (type is null or "custom")
                {
                    req.Tools.Add(new ConvTool(ToolKind.Function, J.Str(t, "name") ?? "")
                    {
                        Description = J.Str(t, "description"),
                        Parameters = J.Obj(t, "input_schema"),
                        Strict = J.Bool(t, "strict"),
                        CacheControl = J.Get(t, "cache_control"),
                    });
                }
                else if (type.StartsWith("web_search_", StringComparison.Ordinal))
                {
                    req.Tools.Add(new ConvTool(ToolKind.WebSearch, J.Str(t, "name") ?? "web_search")
                    {
                        MaxUses = J.Int(t, "max_uses"),
                        UserLocation = ClaudeLocation(J.Obj(t, "user_location")),
                    });
                }
                else
                {
                    req.Notes.Add("dropped tool type " + type);
                }
            }
        if (J.Obj(body, "tool_choice") is { } choice)
        {
            var name = J.Str(choice, "name");
            req.ToolChoice = J.Str(choice, "type") switch
            {
                "any" => new ConvToolChoice(ToolChoiceMode.Required),
                "none" => new ConvToolChoice(ToolChoiceMode.None),
                "tool" when name is not null => new ConvToolChoice(ToolChoiceMode.Function, name),
                _ => new ConvToolChoice(ToolChoiceMode.Auto),
            };
            if (J.Bool(choice, "disable_parallel_tool_use") is { } disable) req.ParallelToolCalls = !disable;
        }
    }

    private static JsonObject? ClaudeLocation(JsonObject? loc)
    {
        if (loc is null) return null;
        var o = new JsonObject();
        foreach (var key in (string[])["country", "region", "city", "timezone"])
            J.SetIf(o, key, J.Str(loc, key));
        return o;
    }

    /// <summary><c>thinking</c>, <c>output_config {effort, format}</c> and the beta <c>output_format</c>.</summary>
    private static void ReadOutputConfig(ConvRequest req, JsonObject body)
    {
        if (J.Obj(body, "thinking") is { } thinking)
        {
            req.Reasoning = J.Str(thinking, "type") switch
            {
                "enabled" => new ConvReasoning { Enabled = true, BudgetTokens = J.Int(thinking, "budget_tokens"), IncludeThoughts = true },
                "adaptive" => new ConvReasoning { Enabled = true, Dynamic = true, IncludeThoughts = true },
                "disabled" => new ConvReasoning { Enabled = false },
                _ => null,
            };
        }
        var config = J.Obj(body, "output_config");
        if (J.Str(config, "effort") is { } effort)
        {
            req.Reasoning ??= new ConvReasoning { Enabled = true };
            req.Reasoning.Effort = effort;
        }
        var format = J.Obj(config, "format") ?? J.Obj(body, "output_format");
        if (J.Str(format, "type") == "json_schema")
            req.ResponseFormat = new ConvResponseFormat(FormatKind.JsonSchema) { Schema = J.Obj(format, "schema"), Name = "response" };
    }
}
