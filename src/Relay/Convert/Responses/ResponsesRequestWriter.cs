using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Responses;

/// <summary><see cref="ConvRequest"/> → OpenAI Responses request (New API's ChatCompletionsToResponsesPolicy path).</summary>
internal static class ResponsesRequestWriter
{
    public static JsonObject Write(ConvRequest req, WriteContext ctx)
    {
        var body = new JsonObject();
        J.SetIf(body, "model", ctx.Model);
        if (req.System.Count > 0) body["instructions"] = string.Join("\n", req.System.Select(s => s.Text));
        body["input"] = Input(req, ctx);
        J.SetIf(body, "max_output_tokens", req.MaxTokens);
        J.SetIf(body, "temperature", req.Temperature);
        J.SetIf(body, "top_p", req.TopP);
        if (req.Stop.Count > 0 || req.TopK is not null || req.N is > 1 || req.Seed is not null) ctx.Note("dropped stop/top_k/n/seed");
        WriteTools(req, body);
        if (req.Reasoning is { } r && ReasoningMap.OpenAiEffort(req, ctx.Model, ctx.Notes) is { } effort)
        {
            var reasoning = new JsonObject { ["effort"] = effort };
            var summary = r.Summary ?? (r.IncludeThoughts == true ? "auto" : null);
            J.SetIf(reasoning, "summary", summary);
            body["reasoning"] = reasoning;
        }
        if (req.ResponseFormat is { } rf) body["text"] = new JsonObject { ["format"] = Format(rf) };
        J.SetIf(body, "user", req.User is { Length: <= 64 } user ? user : null);
        if (req.Metadata is { } md) body["metadata"] = J.Clone(md);
        if (req.Stream) body["stream"] = true;
        return body;
    }

    private static JsonArray Input(ConvRequest req, WriteContext ctx)
    {
        var items = new JsonArray();
        foreach (var m in req.Messages)
        {
            var content = new JsonArray();
            void Flush()
            {
                if (content.Count == 0) return;
                items.Add((JsonNode)new JsonObject
                {
                    ["type"] = "message",
                    ["role"] = m.Role == ConvRole.Assistant ? "assistant" : "user",
                    ["content"] = content,
                });
                content = new JsonArray();
            }
            foreach (var part in m.Parts)
            {
                switch (part)
                {
                    case TextPart t:
                        content.Add((JsonNode)new JsonObject { ["type"] = m.Role == ConvRole.Assistant ? "output_text" : "input_text", ["text"] = t.Text });
                        break;
                    case MediaPart media when m.Role == ConvRole.User:
                        if (Media(media, ctx) is { } node) content.Add((JsonNode)node);
                        break;
                    case ToolCallPart call:
                        Flush();
                        items.Add((JsonNode)new JsonObject { ["type"] = "function_call", ["call_id"] = call.Id, ["name"] = call.Name, ["arguments"] = call.Arguments });
                        break;
                    case ToolResultPart r:
                        Flush();
                        items.Add((JsonNode)new JsonObject { ["type"] = "function_call_output", ["call_id"] = r.CallId, ["output"] = Output(r, ctx) });
                        break;
                }
            }
            Flush();
        }
        return items;
    }

    private static JsonNode Output(ToolResultPart r, WriteContext ctx)
    {
        if (r.Content.TrueForAll(p => p is TextPart)) return r.JoinedText();
        var arr = new JsonArray();
        foreach (var p in r.Content)
        {
            if (p is TextPart t) arr.Add((JsonNode)new JsonObject { ["type"] = "input_text", ["text"] = t.Text });
            else if (p is MediaPart media && Media(media, ctx) is { } node) arr.Add((JsonNode)node);
        }
        return arr;
    }

    /// <summary>Responses takes images and files by URL, so nothing has to be fetched for it.</summary>
    private static JsonObject? Media(MediaPart media, WriteContext ctx)
    {
        switch (media.Kind)
        {
            case MediaKind.Image:
                var image = new JsonObject { ["type"] = "input_image" };
                if (media.Data is not null) image["image_url"] = DataUrl.Build(media.MimeType ?? "image/png", media.Data);
                else if (media.Url is not null) image["image_url"] = media.Url;
                else if (media.FileId is not null) image["file_id"] = media.FileId;
                image["detail"] = media.Detail ?? "auto";
                return image;
            case MediaKind.Document:
                var file = new JsonObject { ["type"] = "input_file" };
                if (media.Data is not null)
                {
                    file["filename"] = media.FileName ?? "document.pdf";
                    file["file_data"] = DataUrl.Build(media.MimeType ?? "application/pdf", media.Data);
                }
                else if (media.Url is not null) file["file_url"] = media.Url;
                else if (media.FileId is not null) file["file_id"] = media.FileId;
                else return null;
                return file;
            default:
                ctx.Note("dropped audio input");
                return null;
        }
    }

    private static void WriteTools(ConvRequest req, JsonObject body)
    {
        var tools = new JsonArray();
        foreach (var t in req.Tools)
        {
            if (t.Kind == ToolKind.WebSearch)
            {
                var web = new JsonObject { ["type"] = "web_search" };
                J.SetIf(web, "search_context_size", t.SearchContextSize);
                if (t.UserLocation is { } loc)
                {
                    var location = J.Clone(loc) as JsonObject ?? new JsonObject();
                    location["type"] = "approximate";
                    web["user_location"] = location;
                }
                tools.Add((JsonNode)web);
                continue;
            }
            var fn = new JsonObject { ["type"] = "function", ["name"] = t.Name };
            J.SetIf(fn, "description", t.Description);
            fn["parameters"] = J.Clone(t.Parameters) ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            fn["strict"] = t.Strict ?? false;
            tools.Add((JsonNode)fn);
        }
        if (tools.Count > 0) body["tools"] = tools;
        if (req.ToolChoice is { } choice && (tools.Count > 0 || choice.Mode == ToolChoiceMode.None))
            body["tool_choice"] = choice.Mode switch
            {
                ToolChoiceMode.None => "none",
                ToolChoiceMode.Required => "required",
                ToolChoiceMode.Function => new JsonObject { ["type"] = "function", ["name"] = choice.Name },
                _ => "auto",
            };
        if (tools.Count > 0) J.SetIf(body, "parallel_tool_calls", req.ParallelToolCalls);
    }

    private static JsonObject Format(ConvResponseFormat rf)
    {
        if (rf.Kind != FormatKind.JsonSchema) return new JsonObject { ["type"] = rf.Kind == FormatKind.JsonObject ? "json_object" : "text" };
        var o = new JsonObject { ["type"] = "json_schema", ["name"] = rf.Name ?? "response" };
        J.SetIf(o, "description", rf.Description);
        o["schema"] = J.Clone(rf.Schema) ?? new JsonObject { ["type"] = "object" };
        J.SetIf(o, "strict", rf.Strict);
        return o;
    }
}
