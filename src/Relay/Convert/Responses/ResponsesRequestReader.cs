using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.OpenAi;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Responses;

/// <summary>
/// OpenAI Responses request → <see cref="ConvRequest"/>. <c>previous_response_id</c> and item references to answers this
/// gateway converted are resolved before this (<see cref="Routing.ConvertedResponseStore"/>); what is left of them, and
/// <c>conversation</c>, exist only on an OpenAI Responses upstream and are refused.
/// </summary>
internal static class ResponsesRequestReader
{
    public static ConvRequest Read(JsonObject body)
    {
        if (J.Get(body, "previous_response_id") is not null || J.Get(body, "conversation") is not null)
            throw new ConversionException("previous_response_id / conversation need an OpenAI Responses upstream");
        var req = new ConvRequest
        {
            Model = J.Str(body, "model"),
            Stream = J.Bool(body, "stream") ?? false,
            MaxTokens = J.Int(body, "max_output_tokens"),
            Temperature = J.Dbl(body, "temperature"),
            TopP = J.Dbl(body, "top_p"),
            ParallelToolCalls = J.Bool(body, "parallel_tool_calls"),
            User = J.Str(body, "user") ?? J.Str(body, "safety_identifier"),
            Metadata = J.Obj(body, "metadata"),
        };
        if (J.Str(body, "instructions") is { Length: > 0 } instructions) req.System.Add(new TextPart(instructions));
        var input = J.Get(body, "input");
        if (J.AsString(input) is { Length: > 0 } text) req.Append(ConvRole.User, new TextPart(text));
        else if (input is JsonArray items)
            foreach (var node in items)
                if (node is JsonObject item) ReadItem(req, item);
        ReadTools(req, body);
        if (J.Obj(body, "reasoning") is { } r)
        {
            var effort = J.Str(r, "effort");
            var summary = J.Str(r, "summary") ?? J.Str(r, "generate_summary");
            req.Reasoning = new ConvReasoning
            {
                Effort = effort,
                Enabled = effort is null ? null : effort != "none",
                Summary = summary,
                IncludeThoughts = summary is null ? null : summary != "none",
                OpenAiNative = true,
            };
        }
        if (J.Obj(J.Obj(body, "text"), "format") is { } format) req.ResponseFormat = OpenAiRequestReader.ReadFormat(format);
        return req;
    }

    private static void ReadItem(ConvRequest req, JsonObject item)
    {
        var type = J.Str(item, "type") ?? "message";
        switch (type)
        {
            case "message":
                var role = J.Str(item, "role");
                var parts = Content(J.Get(item, "content"));
                if (role is "system" or "developer")
                    req.System.AddRange(parts.OfType<TextPart>());
                else
                    foreach (var p in parts) req.Append(role == "assistant" ? ConvRole.Assistant : ConvRole.User, p);
                break;
            case "function_call":
                req.Append(ConvRole.Assistant, new ToolCallPart(J.Str(item, "call_id") ?? J.Str(item, "id") ?? Ids.New("call_"),
                    J.Str(item, "name") ?? "", J.Str(item, "arguments") ?? "{}"));
                break;
            case "function_call_output":
                var callId = J.Str(item, "call_id") ?? "";
                var result = new ToolResultPart(callId) { Name = req.ToolNameFor(callId) };
                var output = J.Get(item, "output");
                if (J.AsString(output) is { } s) result.Content.Add(new TextPart(s));
                else result.Content.AddRange(Content(output));
                req.Append(ConvRole.User, result);
                break;
            case "reasoning":
                var summary = string.Join("\n", (J.Arr(item, "summary") ?? []).Select(s => J.Str(s as JsonObject, "text")).Where(s => s is not null));
                req.Append(ConvRole.Assistant, new ThinkingPart(summary) { Signature = J.Str(item, "encrypted_content") });
                break;
            case "item_reference":
                throw new ConversionException("item_reference needs an OpenAI Responses upstream");
            default:
                req.Notes.Add("dropped input item " + type);
                break;
        }
    }

    /// <summary>String content, or input_text / output_text / input_image / input_file / refusal parts.</summary>
    private static List<ConvPart> Content(JsonNode? content)
    {
        if (J.AsString(content) is { } s) return s.Length > 0 ? [new TextPart(s)] : [];
        var parts = new List<ConvPart>();
        foreach (var node in content as JsonArray ?? [])
        {
            if (node is not JsonObject p) continue;
            switch (J.Str(p, "type"))
            {
                case "input_text" or "output_text" or "text":
                    if (J.Str(p, "text") is { Length: > 0 } text) parts.Add(new TextPart(text));
                    break;
                case "refusal":
                    if (J.Str(p, "refusal") is { Length: > 0 } refusal) parts.Add(new TextPart(refusal));
                    break;
                case "input_image":
                    if (J.Str(p, "image_url") is { } url) parts.Add(OpenAiRequestReader.Media(MediaKind.Image, url, J.Str(p, "detail"), null));
                    else if (J.Str(p, "file_id") is { } id) parts.Add(new MediaPart(MediaKind.Image) { FileId = id });
                    break;
                case "input_file":
                    parts.Add(File(p));
                    break;
            }
        }
        return parts;
    }

    private static MediaPart File(JsonObject p)
    {
        var data = J.Str(p, "file_data");
        var media = data is not null ? OpenAiRequestReader.Media(MediaKind.Document, data, null, null) : new MediaPart(MediaKind.Document);
        if (data is not null && !DataUrl.IsDataUrl(data))
        {
            media.Url = null;
            media.Data = data;
            media.MimeType = "application/pdf";
        }
        media.Url ??= J.Str(p, "file_url");
        media.FileId = J.Str(p, "file_id");
        media.FileName = J.Str(p, "filename");
        return media;
    }

    private static void ReadTools(ConvRequest req, JsonObject body)
    {
        foreach (var node in J.Arr(body, "tools") ?? [])
        {
            if (node is not JsonObject t) continue;
            var type = J.Str(t, "type");
            if (type == "function")
                req.Tools.Add(new ConvTool(ToolKind.Function, J.Str(t, "name") ?? "")
                {
                    Description = J.Str(t, "description"),
                    Parameters = J.Obj(t, "parameters"),
                    Strict = J.Bool(t, "strict"),
                });
            else if (type is not null && type.StartsWith("web_search", StringComparison.Ordinal))
                req.Tools.Add(new ConvTool(ToolKind.WebSearch, "web_search")
                {
                    SearchContextSize = J.Str(t, "search_context_size"),
                    UserLocation = J.Obj(t, "user_location"),
                });
            else
                req.Notes.Add("dropped tool type " + type);
        }
        var choice = J.Get(body, "tool_choice");
        req.ToolChoice = choice is JsonObject o && J.Str(o, "type") == "function" && J.Str(o, "name") is { } name
            ? new ConvToolChoice(ToolChoiceMode.Function, name)
            : OpenAiRequestReader.ToolChoice(choice);
    }
}
