namespace NewApi.Relay.Pipeline;

/// <summary>What a relay route does; adapters declare which kinds they serve (<c>Supports</c>). Values are New API's relay modes.</summary>
public enum RouteKind
{
    ChatCompletions = 1,
    Completions = 2,
    Embeddings = 3,
    Moderations = 4,
    ImageGenerations = 5,
    ImageEdits = 6,
    Edits = 7,
    AudioSpeech = 24,
    AudioTranscription = 25,
    AudioTranslation = 26,
    Rerank = 32,
    Responses = 33,
    Realtime = 34,
    ResponsesCompact = 36,
    ClaudeMessages = 100,
    GeminiGenerate = 35,
    /// <summary>Gemini <c>:embedContent</c> (New API runs it as relay mode 35; the value is ours).</summary>
    GeminiEmbed = 101,
    /// <summary>Gemini <c>:batchEmbedContents</c> (New API runs it as relay mode 35; the value is ours).</summary>
    GeminiBatchEmbed = 102,
}
