using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

internal sealed record CallProbe(string? Id, string Name, string Args);

internal sealed record ResultProbe(string? Id, string? Name, string Text, int Images);

/// <summary>
/// Reads a request body of any dialect into what it asks for (system text, conversation text, tool calls and results,
/// images, tools), with test-side code independent of the converters, so two dialects can be compared.
/// </summary>
internal sealed partial class RequestProbe
{
    public string System { get; private set; } = "";
    public List<string> Texts { get; } = [];
    public List<CallProbe> Calls { get; } = [];
    public List<ResultProbe> Results { get; } = [];
    public int InlineImages { get; private set; }
    public List<string> ImageUrls { get; } = [];
    public List<string> Tools { get; } = [];

    /// <summary>All conversation text with whitespace removed (dialects join parts differently).</summary>
    public string Conversation => Spaces().Replace(string.Concat(Texts), "");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    public static RequestProbe Of(WireFamily family, JsonObject body)
    {
        var p = new RequestProbe();
        switch (family)
        {
            case WireFamily.OpenAiChat: p.OpenAi(body); break;
            case WireFamily.Claude: p.Claude(body); break;
            case WireFamily.Gemini: p.Gemini(body); break;
            default: p.Responses(body); break;
        }
        return p;
    }

    private void OpenAi(JsonObject body)
    {
        foreach (var m in body["messages"]!.AsArray())
        {
            var role = Str(m!["role"]);
            var content = m["content"];
            if (role is "system" or "developer") { System += TextOf(content); continue; }
            if (role == "tool") { Results.Add(new ResultProbe(Str(m["tool_call_id"]), null, TextOf(content), 0)); continue; }
            Texts.Add(TextOf(content));
            foreach (var part in content as JsonArray ?? [])
                if (Str(part!["type"]) == "image_url") Image(Str(part["image_url"]!["url"]));
            foreach (var c in m["tool_calls"] as JsonArray ?? [])
                Calls.Add(new CallProbe(Str(c!["id"]), Str(c["function"]!["name"]), Str(c["function"]!["arguments"])));
        }
        foreach (var t in body["tools"] as JsonArray ?? []) Tools.Add(Str(t!["function"]!["name"]));
    }

    private void Claude(JsonObject body)
    {
        System = body["system"] is JsonArray blocks ? string.Concat(blocks.Select(b => Str(b!["text"]))) : body["system"] is { } s ? Str(s) : "";
        foreach (var m in body["messages"]!.AsArray())
        {
            if (m!["content"] is JsonValue v) { Texts.Add(Str(v)); continue; }
            foreach (var b in m["content"]!.AsArray())
            {
                switch (Str(b!["type"]))
                {
                    case "text": Texts.Add(Str(b["text"])); break;
                    case "image": ClaudeImage(b["source"]!); break;
                    case "tool_use": Calls.Add(new CallProbe(Str(b["id"]), Str(b["name"]), b["input"]!.ToJsonString())); break;
                    case "tool_result":
                        var images = b["content"] is JsonArray parts ? parts.Count(x => Str(x!["type"]) == "image") : 0;
                        Results.Add(new ResultProbe(Str(b["tool_use_id"]), null, b["content"] is JsonArray a
                            ? string.Concat(a.Where(x => Str(x!["type"]) == "text").Select(x => Str(x!["text"]))) : Str(b["content"]), images));
                        break;
                }
            }
        }
        foreach (var t in body["tools"] as JsonArray ?? []) Tools.Add(Str(t!["name"]));
    }

    private void ClaudeImage(JsonNode source)
    {
        if (Str(source["type"]) == "base64") InlineImages++;
        else ImageUrls.Add(Str(source["url"]));
    }

    private void Gemini(JsonObject body)
    {
        System = (body["systemInstruction"] ?? body["system_instruction"])?["parts"] is JsonArray sys ? string.Concat(sys.Select(p => Str(p!["text"]))) : "";
        foreach (var c in body["contents"]!.AsArray())
            foreach (var part in c!["parts"]!.AsArray())
            {
                if (part!["text"] is { } text) Texts.Add(Str(text));
                else if ((part["inlineData"] ?? part["inline_data"]) is JsonObject inline && Str(inline["mimeType"] ?? inline["mime_type"]).StartsWith("image/", StringComparison.Ordinal))
                {
                    if (Results.Count > 0 && Str(c["role"]) == "user" && c["parts"]!.AsArray().Any(p => p!["functionResponse"] is not null))
                        Results[^1] = Results[^1] with { Images = Results[^1].Images + 1 };
                    else InlineImages++;
                }
                else if (part["fileData"] is JsonObject file) ImageUrls.Add(Str(file["fileUri"]));
                else if (part["functionCall"] is JsonObject fc) Calls.Add(new CallProbe(null, Str(fc["name"]), fc["args"]!.ToJsonString()));
                else if (part["functionResponse"] is JsonObject fr)
                {
                    var response = fr["response"]!.AsObject();
                    var resultText = response.Count == 1 && response["content"] is JsonValue only ? Str(only) : response.ToJsonString();
                    Results.Add(new ResultProbe(null, Str(fr["name"]), resultText, 0));
                }
            }
        foreach (var t in body["tools"] as JsonArray ?? [])
            foreach (var d in t!["functionDeclarations"] as JsonArray ?? []) Tools.Add(Str(d!["name"]));
    }

    private void Responses(JsonObject body)
    {
        System = body["instructions"] is { } i ? Str(i) : "";
        foreach (var item in body["input"]!.AsArray())
        {
            switch (item!["type"] is { } t ? Str(t) : "message")
            {
                case "message":
                    if (Str(item["role"]) is "system" or "developer") { System += TextOf(item["content"]); break; }
                    Texts.Add(TextOf(item["content"]));
                    foreach (var part in item["content"] as JsonArray ?? [])
                        if (Str(part!["type"]) == "input_image") Image(Str(part["image_url"]));
                    break;
                case "function_call":
                    Calls.Add(new CallProbe(Str(item["call_id"]), Str(item["name"]), Str(item["arguments"])));
                    break;
                case "function_call_output":
                    var output = item["output"]!;
                    var images = output is JsonArray parts ? parts.Count(x => Str(x!["type"]) == "input_image") : 0;
                    Results.Add(new ResultProbe(Str(item["call_id"]), null, TextOf(output), images));
                    break;
            }
        }
        foreach (var t in body["tools"] as JsonArray ?? []) Tools.Add(Str(t!["name"]));
    }

    private void Image(string url)
    {
        if (url.StartsWith("data:", StringComparison.Ordinal)) InlineImages++;
        else ImageUrls.Add(url);
    }

    private static string TextOf(JsonNode? content) => content switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray a => string.Concat(a.Where(p => p!["text"] is not null).Select(p => Str(p!["text"]))),
        _ => "",
    };
}
