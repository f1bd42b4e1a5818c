using NewApi.Common;
using NewApi.Relay.Convert;

namespace NewApi.Relay.Adapters;

/// <summary>How a channel's key is sent upstream.</summary>
public enum AuthStyle { Bearer, AzureApiKey, AnthropicKey, GoogleKey }

/// <summary>
/// One vendor of the OpenAI family as data: default base URL (used when the channel's is empty), the path prefix that
/// replaces "/v1" (Zhipu's /api/paas/v4, Volcengine's /api/v3 …), how the key is sent, and whether the vendor accepts
/// <c>stream_options</c> (so streams can ask for a usage chunk). <see cref="Dialect"/> is the chat protocol the vendor speaks:
/// requests in another dialect are converted (Claude and Gemini channels speak their own). <see cref="NativeResponses"/>:
/// the vendor serves <c>/v1/responses</c> itself; for the others a Responses request is converted to chat completions,
/// so Codex and other Responses clients work through any channel.
/// </summary>
public sealed record VendorProfile(ChannelType Type, string DefaultBaseUrl, string PathPrefix = "/v1", AuthStyle Auth = AuthStyle.Bearer,
    bool StreamOptions = false, WireFamily Dialect = WireFamily.OpenAiChat, bool NativeResponses = false);

/// <summary>
/// The vendors NewApi relays to: the OpenAI-compatible family served through <see cref="OpenAi.OpenAiAdapter"/>, and
/// Anthropic and Gemini, reached through the format converters.
/// </summary>
public static class VendorProfiles
{
    private static readonly Dictionary<ChannelType, VendorProfile> Profiles = new VendorProfile[]
    {
        new(ChannelType.Unknown, "https://api.openai.com", StreamOptions: true, NativeResponses: true),
        new(ChannelType.OpenAI, "https://api.openai.com", StreamOptions: true, NativeResponses: true),
        new(ChannelType.Azure, "", Auth: AuthStyle.AzureApiKey, StreamOptions: true, NativeResponses: true),
        new(ChannelType.Custom, "", NativeResponses: true),
        new(ChannelType.Ollama, "http://localhost:11434", StreamOptions: true),
        new(ChannelType.OpenRouter, "https://openrouter.ai/api", NativeResponses: true),
        new(ChannelType.DeepSeek, "https://api.deepseek.com", StreamOptions: true),
        new(ChannelType.Moonshot, "https://api.moonshot.cn", StreamOptions: true),
        new(ChannelType.Mistral, "https://api.mistral.ai"),
        new(ChannelType.XAi, "https://api.x.ai", StreamOptions: true, NativeResponses: true),
        new(ChannelType.SiliconFlow, "https://api.siliconflow.cn", StreamOptions: true),
        new(ChannelType.Perplexity, "https://api.perplexity.ai", PathPrefix: "", NativeResponses: true),
        new(ChannelType.ZhipuV4, "https://open.bigmodel.cn", PathPrefix: "/api/paas/v4", StreamOptions: true),
        new(ChannelType.VolcEngine, "https://ark.cn-beijing.volces.com", PathPrefix: "/api/v3", StreamOptions: true, NativeResponses: true),
        new(ChannelType.BaiduV2, "https://qianfan.baidubce.com", PathPrefix: "/v2", StreamOptions: true),
        new(ChannelType.Ali, "https://dashscope.aliyuncs.com", PathPrefix: "/compatible-mode/v1", StreamOptions: true),
        new(ChannelType.MiniMax, "https://api.minimax.chat", StreamOptions: true),
        new(ChannelType.LingYiWanWu, "https://api.lingyiwanwu.com"),
        new(ChannelType.Submodel, "https://llm.submodel.ai", StreamOptions: true),
        new(ChannelType.Xinference, ""),
        new(ChannelType.OpenAIMax, ""),
        new(ChannelType.OhMyGpt, "https://api.ohmygpt.com"),
        new(ChannelType.Ails, ""),
        new(ChannelType.AiProxy, "https://api.aiproxy.io"),
        new(ChannelType.Api2Gpt, "https://api.api2gpt.com"),
        new(ChannelType.Aigc2D, "https://api.aigc2d.com"),
        new(ChannelType.Ai360, "https://ai.360.cn"),
        new(ChannelType.FastGpt, ""),
        new(ChannelType.Anthropic, "https://api.anthropic.com", Auth: AuthStyle.AnthropicKey, Dialect: WireFamily.Claude),
        new(ChannelType.Gemini, "https://generativelanguage.googleapis.com", PathPrefix: "/v1beta", Auth: AuthStyle.GoogleKey, Dialect: WireFamily.Gemini),
    }.ToDictionary(p => p.Type);

    public static VendorProfile? For(ChannelType type) => Profiles.GetValueOrDefault(type);

    public static bool IsOpenAiCompatible(ChannelType type) => Profiles.TryGetValue(type, out var p) && p.Dialect == WireFamily.OpenAiChat;
}
