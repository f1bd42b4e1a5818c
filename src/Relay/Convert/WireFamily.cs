namespace NewApi.Relay.Convert;

/// <summary>The four chat dialects the converters translate between.</summary>
public enum WireFamily
{
    /// <summary>OpenAI Chat Completions (<c>/v1/chat/completions</c>) and every OpenAI-compatible vendor.</summary>
    OpenAiChat,
    /// <summary>Anthropic Messages (<c>/v1/messages</c>).</summary>
    Claude,
    /// <summary>Google Gemini <c>generateContent</c> / <c>streamGenerateContent</c>.</summary>
    Gemini,
    /// <summary>OpenAI Responses (<c>/v1/responses</c>).</summary>
    Responses,
}
