using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Claude;

/// <summary>Function tools, the web search server tool and <c>tool_choice</c> in the Claude dialect (relay.md §4.2).</summary>
internal static class ClaudeTools
{
    public static void Write(ConvRequest req, JsonObject body)
    {
        var tools = new JsonArray();
        foreach (var t in req.Tools)
        {
            if (t.Kind == ToolKind.WebSearch)
            {
                tools.Add((JsonNode)WebSearch(t));
                continue;
            }
            var tool = new JsonObject { ["name"] = t.Name };
            J.SetIf(tool, "description", t.Description);
            tool["input_schema"] = SchemaCleaner.ObjectSchema(t.Parameters);
            if (t.CacheControl is not null) tool["cache_control"] = J.Clone(t.CacheControl);
            tools.Add((JsonNode)tool);
        }
        if (tools.Count > 0) body["tools"] = tools;
        var choice = req.ToolChoice;
        if (choice is null && req.ParallelToolCalls != false) return;
        if (tools.Count == 0 && choice?.Mode != ToolChoiceMode.None) return;
        var o = new JsonObject
        {
            ["type"] = choice?.Mode switch
            {
                ToolChoiceMode.None => "none",
                ToolChoiceMode.Required => "any",
                ToolChoiceMode.Function => "tool",
                _ => "auto",
            },
        };
        if (choice?.Mode == ToolChoiceMode.Function) o["name"] = choice.Name;
        if (req.ParallelToolCalls == false && choice?.Mode != ToolChoiceMode.None) o["disable_parallel_tool_use"] = true;
        body["tool_choice"] = o;
    }

    /// <summary>New API's preset: search context size low/medium/high → max_uses 1/5/10.</summary>
    private static JsonObject WebSearch(ConvTool t)
    {
        var o = new JsonObject { ["type"] = "web_search_20250305", ["name"] = "web_search" };
        var maxUses = t.MaxUses ?? t.SearchContextSize switch { "low" => 1, "high" => 10, "medium" => 5, _ => (int?)null };
        J.SetIf(o, "max_uses", maxUses);
        if (t.UserLocation is { Count: > 0 } loc)
        {
            var location = new JsonObject { ["type"] = "approximate" };
            foreach (var key in (string[])["timezone", "country", "region", "city"])
                J.SetIf(location, key, J.Str(loc, key));
            o["user_location"] = location;
        }
        return o;
    }
}
