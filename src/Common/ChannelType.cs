namespace NewApi.Common;

/// <summary>New API channel types (channels.type). Persisted: never renumber.</summary>
public enum ChannelType
{
    Unknown = 0, OpenAI = 1, Midjourney = 2, Azure = 3, Ollama = 4, MidjourneyPlus = 5, OpenAIMax = 6, OhMyGpt = 7,
    Custom = 8, Ails = 9, AiProxy = 10, PaLM = 11, Api2Gpt = 12, Aigc2D = 13, Anthropic = 14, Baidu = 15, Zhipu = 16,
    Ali = 17, Xunfei = 18, Ai360 = 19, OpenRouter = 20, AiProxyLibrary = 21, FastGpt = 22, Tencent = 23, Gemini = 24,
    Moonshot = 25, ZhipuV4 = 26, Perplexity = 27, LingYiWanWu = 31, Aws = 33, Cohere = 34, MiniMax = 35, SunoApi = 36,
    Dify = 37, Jina = 38, Cloudflare = 39, SiliconFlow = 40, VertexAi = 41, Mistral = 42, DeepSeek = 43, MokaAi = 44,
    VolcEngine = 45, BaiduV2 = 46, Xinference = 47, XAi = 48, Coze = 49, Kling = 50, Jimeng = 51, Vidu = 52,
    Submodel = 53, DoubaoVideo = 54, Sora = 55, Replicate = 56, Codex = 57, AdvancedCustom = 58,
}
