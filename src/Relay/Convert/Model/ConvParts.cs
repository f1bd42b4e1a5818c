using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert.Model;

/// <summary>One piece of message content in the dialect-neutral model every reader produces and every writer consumes.</summary>
internal abstract class ConvPart
{
    /// <summary>Output item id when the part is shown to a Responses client (stable between stream events and the final object).</summary>
    public string? ItemId { get; set; }
}

internal sealed class TextPart(string text) : ConvPart
{
    public string Text { get; set; } = text;
    /// <summary>Claude <c>cache_control</c> (also OpenRouter's OpenAI-dialect passthrough of it).</summary>
    public JsonNode? CacheControl { get; set; }
}

internal enum MediaKind { Image, Audio, Document }

/// <summary>An image, audio clip or document: inline (<see cref="Data"/>, base64) or by reference (<see cref="Url"/> / <see cref="FileId"/>).</summary>
internal sealed class MediaPart(MediaKind kind) : ConvPart
{
    public MediaKind Kind { get; } = kind;
    public string? MimeType { get; set; }
    /// <summary>Base64 payload (no data-URL prefix).</summary>
    public string? Data { get; set; }
    /// <summary>http(s) URL, or a provider file URI (Gemini <c>fileData.fileUri</c>).</summary>
    public string? Url { get; set; }
    public string? FileId { get; set; }
    public string? FileName { get; set; }
    /// <summary>OpenAI image <c>detail</c> (auto/low/high).</summary>
    public string? Detail { get; set; }
    public JsonNode? CacheControl { get; set; }
    /// <summary>Plain text document (Claude <c>source.type = "text"</c>).</summary>
    public string? TextData { get; set; }
}

/// <summary>Model reasoning. <see cref="Signature"/> is Claude's signature or a Responses <c>encrypted_content</c>.</summary>
internal sealed class ThinkingPart(string text) : ConvPart
{
    public string Text { get; set; } = text;
    public string? Signature { get; set; }
    /// <summary>Claude <c>redacted_thinking.data</c>; when set, <see cref="Text"/> is empty.</summary>
    public string? RedactedData { get; set; }
}

/// <summary>A function call made by the assistant. <see cref="Arguments"/> is JSON text (OpenAI style).</summary>
internal sealed class ToolCallPart(string id, string name, string arguments) : ConvPart
{
    public string Id { get; set; } = id;
    public string Name { get; set; } = name;
    public string Arguments { get; set; } = arguments;
    public JsonNode? CacheControl { get; set; }
    /// <summary>Gemini <c>thoughtSignature</c> carried on the functionCall part.</summary>
    public string? ThoughtSignature { get; set; }
}

/// <summary>The result of a tool call, sent by the user side. Content holds text and media parts only.</summary>
internal sealed class ToolResultPart(string callId) : ConvPart
{
    public string CallId { get; set; } = callId;
    public string? Name { get; set; }
    public List<ConvPart> Content { get; } = [];
    public bool IsError { get; set; }
    public JsonNode? CacheControl { get; set; }

    public string JoinedText() =>
        string.Join("\n", Content.OfType<TextPart>().Select(t => t.Text));
}
