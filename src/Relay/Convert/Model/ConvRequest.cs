using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert.Model;

internal enum ConvRole { User, Assistant }

internal sealed class ConvMessage(ConvRole role)
{
    public ConvRole Role { get; } = role;
    public List<ConvPart> Parts { get; } = [];
}

internal enum ToolKind { Function, WebSearch }

internal sealed class ConvTool(ToolKind kind, string name)
{
    public ToolKind Kind { get; } = kind;
    public string Name { get; } = name;
    public string? Description { get; set; }
    /// <summary>JSON schema of the arguments (not cloned: writers clone before inserting).</summary>
    public JsonObject? Parameters { get; set; }
    public bool? Strict { get; set; }
    public JsonNode? CacheControl { get; set; }
    /// <summary>Web search knobs: <c>search_context_size</c>, <c>max_uses</c>, <c>user_location</c> {country, region, city, timezone}, <c>allowed_domains</c>.</summary>
    public string? SearchContextSize { get; set; }
    public int? MaxUses { get; set; }
    public JsonObject? UserLocation { get; set; }
}

internal enum ToolChoiceMode { Auto, None, Required, Function }

internal sealed record ConvToolChoice(ToolChoiceMode Mode, string? Name = null);

internal enum FormatKind { Text, JsonObject, JsonSchema }

internal sealed class ConvResponseFormat(FormatKind kind)
{
    public FormatKind Kind { get; } = kind;
    public string? Name { get; set; }
    public string? Description { get; set; }
    public JsonObject? Schema { get; set; }
    public bool? Strict { get; set; }
}

/// <summary>
/// Reasoning knobs of every dialect in one place: OpenAI <c>reasoning_effort</c>, Responses <c>reasoning</c>, Claude
/// <c>thinking</c>/<c>output_config.effort</c>, Gemini <c>thinkingConfig</c> (relay.md §4.10).
/// </summary>
internal sealed class ConvReasoning
{
    /// <summary>null: not specified; false: explicitly off (Claude disabled, Gemini budget 0, effort none).</summary>
    public bool? Enabled { get; set; }
    /// <summary>minimal / low / medium / high / xhigh / max.</summary>
    public string? Effort { get; set; }
    public int? BudgetTokens { get; set; }
    /// <summary>Client wants the reasoning text back (Gemini includeThoughts, Responses summary).</summary>
    public bool? IncludeThoughts { get; set; }
    /// <summary>Responses <c>reasoning.summary</c> (auto / concise / detailed).</summary>
    public string? Summary { get; set; }
    /// <summary>Claude <c>thinking.type = adaptive</c>; Gemini dynamic budget (-1).</summary>
    public bool Dynamic { get; set; }
    /// <summary>
    /// The effort was asked for in OpenAI's own vocabulary (chat <c>reasoning_effort</c>, Responses <c>reasoning</c>, a
    /// model suffix), so the client knows the model takes it; otherwise OpenAI-dialect upstreams get an effort only for
    /// known reasoning models, because OpenAI rejects the parameter on the others.
    /// </summary>
    public bool OpenAiNative { get; set; }
}

/// <summary>A chat request in dialect-neutral form: what every request reader produces and every writer consumes.</summary>
internal sealed class ConvRequest
{
    public string? Model { get; set; }
    public List<TextPart> System { get; } = [];
    public List<ConvMessage> Messages { get; } = [];
    public List<ConvTool> Tools { get; } = [];
    public ConvToolChoice? ToolChoice { get; set; }
    public bool? ParallelToolCalls { get; set; }
    public int? MaxTokens { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public int? TopK { get; set; }
    public List<string> Stop { get; } = [];
    public int? N { get; set; }
    public long? Seed { get; set; }
    public double? PresencePenalty { get; set; }
    public double? FrequencyPenalty { get; set; }
    public ConvResponseFormat? ResponseFormat { get; set; }
    public ConvReasoning? Reasoning { get; set; }
    public bool Stream { get; set; }
    public string? User { get; set; }
    /// <summary>String-to-string tags (OpenAI / Responses <c>metadata</c>).</summary>
    public JsonObject? Metadata { get; set; }
    /// <summary>Features of the source dialect the target cannot express, for the request log.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Appends a part to the last message when it has the same role, else starts a new message.</summary>
    public void Append(ConvRole role, ConvPart part)
    {
        if (Messages.Count == 0 || Messages[^1].Role != role) Messages.Add(new ConvMessage(role));
        Messages[^1].Parts.Add(part);
    }

    /// <summary>Looks up the function name of an earlier tool call by its id.</summary>
    public string? ToolNameFor(string callId)
    {
        for (var i = Messages.Count - 1; i >= 0; i--)
            foreach (var p in Messages[i].Parts)
                if (p is ToolCallPart c && c.Id == callId) return c.Name;
        return null;
    }
}
