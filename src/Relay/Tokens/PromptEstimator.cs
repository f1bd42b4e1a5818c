using System.Text;
using System.Text.Json;
using NewApi.Billing.Tokens;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Tokens;

/// <summary>
/// Local prompt estimate of an OpenAI-format request (relay.md §3.3): the text of every message (role, name, text
/// parts), completion prompts and embedding inputs, tool names, descriptions and parameter schemas; plus New API's
/// framing constants (3 per message, 3 per name, 8 per tool, 3 fixed for chat). Image parts count 520 tokens each
/// (NewApi does not download client images to size them).
/// </summary>
public sealed class PromptEstimator(TokenCounter counter)
{
    private const int PerMessage = 3;
    private const int PerName = 3;
    private const int PerTool = 8;
    private const int ChatPriming = 3;
    private const int PerImage = 520;

    public int Estimate(RelayRequest request)
    {
        var root = request.Root;
        var text = new StringBuilder();
        var extra = 0;
        switch (request.Kind)
        {
            case RouteKind.ChatCompletions:
                extra = Messages(root, text) + Tools(root, text) + ChatPriming;
                break;
            case RouteKind.Completions:
                AppendStrings(root, "prompt", text);
                AppendStrings(root, "suffix", text);
                break;
            default:
                AppendStrings(root, "input", text);
                break;
        }
        return counter.Count(request.Model, text.ToString()) + extra;
    }

    private static int Messages(JsonElement root, StringBuilder text)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array) return 0;
        var extra = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) continue;
            extra += PerMessage;
            Append(text, m, "role");
            if (m.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                extra += PerName;
                text.Append(name.GetString()).Append('\n');
            }
            if (!m.TryGetProperty("content", out var content)) continue;
            if (content.ValueKind == JsonValueKind.String) text.Append(content.GetString()).Append('\n');
            else if (content.ValueKind == JsonValueKind.Array)
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object) continue;
                    if (part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString()).Append('\n');
                    else if (part.TryGetProperty("type", out var type) && type.ValueEquals("image_url")) extra += PerImage;
                }
        }
        return extra;
    }

    private static int Tools(JsonElement root, StringBuilder text)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array) return 0;
        var extra = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (!tool.TryGetProperty("function", out var f) || f.ValueKind != JsonValueKind.Object) continue;
            extra += PerTool;
            Append(text, f, "name");
            Append(text, f, "description");
            if (f.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object) text.Append(p.GetRawText()).Append('\n');
        }
        return extra;
    }

    private static void AppendStrings(JsonElement root, string name, StringBuilder text)
    {
        if (!root.TryGetProperty(name, out var v)) return;
        if (v.ValueKind == JsonValueKind.String) text.Append(v.GetString()).Append('\n');
        else if (v.ValueKind == JsonValueKind.Array)
            foreach (var item in v.EnumerateArray())
                if (item.ValueKind == JsonValueKind.String) text.Append(item.GetString()).Append('\n');
    }

    private static void Append(StringBuilder text, JsonElement obj, string name)
    {
        if (obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) text.Append(v.GetString()).Append('\n');
    }
}
