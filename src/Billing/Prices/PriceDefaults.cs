using System.Collections.Frozen;

namespace NewApi.Billing.Prices;

/// <summary>
/// New API's built-in price tables, used for any table whose option key is not stored. Model ratio 1 = $2 per 1M
/// tokens; ModelPrice is USD per call. Numbers only, taken from New API's defaults for the common models.
/// </summary>
public static class PriceDefaults
{
    private const double Rmb = 500 / 7.3;   // new-api: a ratio quoted in CNY per 1K tokens, converted at 7.3

    public static FrozenDictionary<string, double> ModelRatio { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["gpt-4-gizmo-*"] = 15, ["gpt-4o-gizmo-*"] = 2.5, ["gpt-4-all"] = 15, ["gpt-4o-all"] = 15,
        ["gpt-4"] = 15, ["gpt-4-0613"] = 15, ["gpt-4-32k"] = 30, ["gpt-4-32k-0613"] = 30,
        ["gpt-4-1106-preview"] = 5, ["gpt-4-0125-preview"] = 5, ["gpt-4-turbo-preview"] = 5, ["gpt-4-vision-preview"] = 5,
        ["gpt-4-1106-vision-preview"] = 5, ["gpt-4-turbo"] = 5, ["gpt-4-turbo-2024-04-09"] = 5,
        ["chatgpt-4o-latest"] = 2.5, ["gpt-4o"] = 1.25, ["gpt-4o-2024-05-13"] = 2.5, ["gpt-4o-2024-08-06"] = 1.25, ["gpt-4o-2024-11-20"] = 1.25,
        ["gpt-4o-audio-preview"] = 1.25, ["gpt-4o-audio-preview-2024-10-01"] = 1.25,
        ["gpt-4o-realtime-preview"] = 2.5, ["gpt-4o-realtime-preview-2024-10-01"] = 2.5, ["gpt-4o-realtime-preview-2024-12-17"] = 2.5,
        ["gpt-4o-mini-realtime-preview"] = 0.3, ["gpt-4o-mini-realtime-preview-2024-12-17"] = 0.3,
        ["gpt-4o-mini"] = 0.075, ["gpt-4o-mini-2024-07-18"] = 0.075,
        ["gpt-4.1"] = 1.0, ["gpt-4.1-2025-04-14"] = 1.0, ["gpt-4.1-mini"] = 0.2, ["gpt-4.1-mini-2025-04-14"] = 0.2,
        ["gpt-4.1-nano"] = 0.05, ["gpt-4.1-nano-2025-04-14"] = 0.05, ["gpt-4.5-preview"] = 37.5, ["gpt-4.5-preview-2025-02-27"] = 37.5,
        ["gpt-image-1"] = 2.5,
        ["o1"] = 7.5, ["o1-2024-12-17"] = 7.5, ["o1-preview"] = 7.5, ["o1-preview-2024-09-12"] = 7.5, ["o1-mini"] = 0.55,
        ["o1-mini-2024-09-12"] = 0.55, ["o1-pro"] = 75, ["o1-pro-2025-03-19"] = 75,
        ["o3-mini"] = 0.55, ["o3-mini-2025-01-31"] = 0.55, ["o3-mini-high"] = 0.55, ["o3-mini-low"] = 0.55, ["o3-mini-medium"] = 0.55,
        ["o3"] = 1.0, ["o3-2025-04-16"] = 1.0, ["o3-pro"] = 10, ["o3-pro-2025-06-10"] = 10, ["o3-deep-research"] = 5,
        ["o4-mini"] = 0.55, ["o4-mini-2025-04-16"] = 0.55, ["o4-mini-deep-research"] = 1.0,
        ["gpt-5"] = 0.625, ["gpt-5-2025-08-07"] = 0.625, ["gpt-5-chat-latest"] = 0.625, ["gpt-5-mini"] = 0.125,
        ["gpt-5-mini-2025-08-07"] = 0.125, ["gpt-5-nano"] = 0.025, ["gpt-5-nano-2025-08-07"] = 0.025,
        ["gpt-5.2"] = 0.875, ["gpt-5.4"] = 1.25, ["gpt-5.4-pro"] = 15, ["gpt-5.5"] = 2.5,
        ["gpt-3.5-turbo"] = 0.25, ["gpt-3.5-turbo-0613"] = 0.75, ["gpt-3.5-turbo-16k"] = 1.5, ["gpt-3.5-turbo-16k-0613"] = 1.5,
        ["gpt-3.5-turbo-instruct"] = 0.75, ["gpt-3.5-turbo-1106"] = 0.5, ["gpt-3.5-turbo-0125"] = 0.25,
        ["text-ada-001"] = 0.2, ["text-babbage-001"] = 0.25, ["text-curie-001"] = 1, ["davinci"] = 10, ["curie"] = 10,
        ["whisper-1"] = 15, ["tts-1"] = 7.5, ["tts-1-1106"] = 7.5, ["tts-1-hd"] = 15, ["tts-1-hd-1106"] = 15,
        ["text-embedding-3-small"] = 0.01, ["text-embedding-3-large"] = 0.065, ["text-embedding-ada-002"] = 0.05,
        ["text-moderation-stable"] = 0.1, ["text-moderation-latest"] = 0.1,
        ["claude-3-haiku-20240307"] = 0.125, ["claude-3-5-haiku-20241022"] = 0.5, ["claude-haiku-4-5-20251001"] = 0.5, ["claude-haiku-4-5"] = 0.5,
        ["claude-3-sonnet-20240229"] = 1.5, ["claude-3-5-sonnet-20240620"] = 1.5, ["claude-3-5-sonnet-20241022"] = 1.5,
        ["claude-3-7-sonnet-20250219"] = 1.5, ["claude-3-7-sonnet-20250219-thinking"] = 1.5, ["claude-sonnet-4-20250514"] = 1.5,
        ["claude-sonnet-4-5-20250929"] = 1.5, ["claude-sonnet-4-6"] = 1.5, ["claude-opus-4-5-20251101"] = 2.5, ["claude-opus-4-6"] = 2.5,
        ["claude-opus-4-7"] = 2.5, ["claude-3-opus-20240229"] = 7.5, ["claude-opus-4-20250514"] = 7.5, ["claude-opus-4-1-20250805"] = 7.5,
        ["gemini-1.5-pro-latest"] = 1.25, ["gemini-1.5-flash-latest"] = 0.075, ["gemini-2.0-flash"] = 0.05,
        ["gemini-2.5-pro"] = 0.625, ["gemini-2.5-pro-thinking-*"] = 0.625, ["gemini-2.5-flash"] = 0.15, ["gemini-2.5-flash-thinking-*"] = 0.075,
        ["gemini-2.5-flash-lite"] = 0.05, ["gemini-2.5-flash-lite-thinking-*"] = 0.05, ["gemini-embedding-001"] = 0.075, ["text-embedding-004"] = 0.001,
        ["gemini-3-flash"] = 0.5, ["gemini-3.1-pro"] = 1,
        ["glm-4"] = 7.143, ["glm-4v"] = 0.05 * Rmb, ["glm-4-plus"] = 0.05 * Rmb, ["glm-4-air"] = 0.001 * Rmb, ["glm-4-flash"] = 0,
        ["glm-3-turbo"] = 0.3572, ["qwen-turbo"] = 0.8572, ["qwen-plus"] = 10, ["text-embedding-v1"] = 0.05, ["hunyuan"] = 7.143,
        ["command"] = 0.5, ["command-light"] = 0.5, ["command-r"] = 0.25, ["command-r-plus"] = 1.5,
        ["command-r-08-2024"] = 0.075, ["command-r-plus-08-2024"] = 1.25,
        ["deepseek-chat"] = 0.27 / 2, ["deepseek-coder"] = 0.27 / 2, ["deepseek-reasoner"] = 0.55 / 2,
        ["grok-3-beta"] = 1.5, ["grok-3-mini-beta"] = 0.15, ["grok-2"] = 1, ["grok-2-vision"] = 1, ["grok-beta"] = 2.5,
        ["openai/gpt-oss-120b"] = 0.5, ["deepseek-ai/DeepSeek-R1"] = 0.8, ["deepseek-ai/DeepSeek-V3.1"] = 0.8,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static FrozenDictionary<string, double> ModelPrice { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["suno_music"] = 0.1, ["suno_lyrics"] = 0.01, ["dall-e-3"] = 0.04, ["imagen-3.0-generate-002"] = 0.03,
        ["black-forest-labs/flux-1.1-pro"] = 0.04, ["gpt-4-gizmo-*"] = 0.1, ["mj_video"] = 0.8, ["mj_imagine"] = 0.1,
        ["mj_edits"] = 0.1, ["mj_variation"] = 0.1, ["mj_reroll"] = 0.1, ["mj_blend"] = 0.1, ["mj_modal"] = 0.1, ["mj_zoom"] = 0.1,
        ["mj_shorten"] = 0.1, ["mj_high_variation"] = 0.1, ["mj_low_variation"] = 0.1, ["mj_pan"] = 0.1, ["mj_inpaint"] = 0,
        ["mj_custom_zoom"] = 0, ["mj_describe"] = 0.05, ["mj_upscale"] = 0.05, ["swap_face"] = 0.05, ["mj_upload"] = 0.05,
        ["sora-2"] = 0.3, ["sora-2-pro"] = 0.5, ["gpt-4o-mini-tts"] = 0.3, ["veo-3.0-generate-001"] = 0.4,
        ["veo-3.0-fast-generate-001"] = 0.15, ["veo-3.1-generate-preview"] = 0.4, ["veo-3.1-fast-generate-preview"] = 0.15,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static FrozenDictionary<string, double> CompletionRatio { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["gpt-4-gizmo-*"] = 2, ["gpt-4o-gizmo-*"] = 3, ["gpt-4-all"] = 2, ["gpt-image-1"] = 8,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static FrozenDictionary<string, double> CacheRatio { get; } = Build(
        ("gpt-4", 0.5), ("o1", 0.5), ("o1-2024-12-17", 0.5), ("o1-preview", 0.5), ("o1-mini", 0.5), ("o3-mini", 0.5), ("o3-mini-2025-01-31", 0.5),
        ("gpt-4o", 0.5), ("gpt-4o-2024-08-06", 0.5), ("gpt-4o-2024-11-20", 0.5), ("gpt-4o-mini", 0.5), ("gpt-4o-mini-2024-07-18", 0.5),
        ("gpt-4o-realtime-preview", 0.5), ("gpt-4o-mini-realtime-preview", 0.5), ("gpt-4.5-preview", 0.5),
        ("gpt-4.1", 0.25), ("gpt-4.1-mini", 0.25), ("gpt-4.1-nano", 0.25),
        ("gpt-5", 0.1), ("gpt-5-2025-08-07", 0.1), ("gpt-5-chat-latest", 0.1), ("gpt-5-mini", 0.1), ("gpt-5-nano", 0.1),
        ("deepseek-chat", 0.25), ("deepseek-reasoner", 0.25), ("deepseek-coder", 0.25),
        ("claude-3-sonnet-20240229", 0.1), ("claude-3-opus-20240229", 0.1), ("claude-3-haiku-20240307", 0.1), ("claude-3-5-haiku-20241022", 0.1),
        ("claude-haiku-4-5-20251001", 0.1), ("claude-3-5-sonnet-20240620", 0.1), ("claude-3-5-sonnet-20241022", 0.1),
        ("claude-3-7-sonnet-20250219", 0.1), ("claude-sonnet-4-20250514", 0.1), ("claude-opus-4-20250514", 0.1), ("claude-opus-4-1-20250805", 0.1),
        ("claude-sonnet-4-5-20250929", 0.1), ("claude-opus-4-5-20251101", 0.1), ("claude-opus-4-6", 0.1), ("claude-opus-4-7", 0.1));

    public static FrozenDictionary<string, double> CreateCacheRatio { get; } = Build(
        ("claude-3-sonnet-20240229", 1.25), ("claude-3-opus-20240229", 1.25), ("claude-3-haiku-20240307", 1.25), ("claude-3-5-haiku-20241022", 1.25),
        ("claude-haiku-4-5-20251001", 1.25), ("claude-3-5-sonnet-20240620", 1.25), ("claude-3-5-sonnet-20241022", 1.25),
        ("claude-3-7-sonnet-20250219", 1.25), ("claude-sonnet-4-20250514", 1.25), ("claude-opus-4-20250514", 1.25),
        ("claude-opus-4-1-20250805", 1.25), ("claude-sonnet-4-5-20250929", 1.25), ("claude-opus-4-5-20251101", 1.25),
        ("claude-opus-4-6", 1.25), ("claude-opus-4-7", 1.25));

    public static FrozenDictionary<string, double> ImageRatio { get; } = Build(("gpt-image-1", 2));

    public static FrozenDictionary<string, double> AudioRatio { get; } = Build(
        ("gpt-4o-audio-preview", 16), ("gpt-4o-mini-audio-preview", 66.67), ("gpt-4o-realtime-preview", 8),
        ("gpt-4o-mini-realtime-preview", 16.67), ("gpt-4o-mini-tts", 25));

    public static FrozenDictionary<string, double> AudioCompletionRatio { get; } = Build(
        ("gpt-4o-realtime", 2), ("gpt-4o-mini-realtime", 2), ("gpt-4o-mini-tts", 1), ("tts-1", 0), ("tts-1-hd", 0), ("tts-1-1106", 0),
        ("tts-1-hd-1106", 0));

    /// <summary>Ratio when a model has no entry: New API treats it as "not configured" (37.5 when allowed).</summary>
    public const double UnsetModelRatio = 37.5;
    public const double MissingCacheRatio = 1;
    public const double MissingCreateCacheRatio = 1.25;

    private static FrozenDictionary<string, double> Build(params (string Model, double Value)[] pairs) =>
        pairs.ToFrozenDictionary(p => p.Model, p => p.Value, StringComparer.Ordinal);
}
