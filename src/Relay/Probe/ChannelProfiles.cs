using System.Collections.Frozen;
using NewApi.Common;

namespace NewApi.Relay.Probe;

/// <summary>How the probe talks to a channel type's upstream.</summary>
public enum ProbeFamily
{
    /// <summary>OpenAI-compatible HTTP API (Bearer key): chat completions, embeddings, rerank, images, responses.</summary>
    OpenAi,
    /// <summary>Azure OpenAI: deployment URLs with api-version, header api-key.</summary>
    Azure,
    /// <summary>Anthropic Messages API.</summary>
    Claude,
    /// <summary>Gemini generateContent.</summary>
    Gemini,
    /// <summary>Ollama: OpenAI-compatible chat, native model list (/api/tags).</summary>
    Ollama,
    /// <summary>Async task providers (Midjourney, Suno, video): New API refuses to test them.</summary>
    TaskOnly,
    /// <summary>Native protocols the probe does not speak (SigV4, JWT, WebSocket, vendor-specific bodies).</summary>
    Native,
}

/// <summary>Per channel type: default base URL, probe family and the paths that differ from OpenAI's.</summary>
public sealed record ChannelProfile(ChannelType Type, string DefaultBaseUrl, ProbeFamily Family, string ChatPath = "/v1/chat/completions",
    string ModelsPath = "/v1/models");

/// <summary>The channel-type table, as data. Base URLs are New API's defaults for an empty channels.base_url.</summary>
public static class ChannelProfiles
{
    private static readonly FrozenDictionary<ChannelType, ChannelProfile> Table = new ChannelProfile[]
    {
        new(ChannelType.Unknown, "", ProbeFamily.OpenAi),
        new(ChannelType.OpenAI, "https://api.openai.com", ProbeFamily.OpenAi),
        new(ChannelType.Midjourney, "https://oa.api2d.net", ProbeFamily.TaskOnly),
        new(ChannelType.Azure, "", ProbeFamily.Azure),
        new(ChannelType.Ollama, "http://localhost:11434", ProbeFamily.Ollama),
        new(ChannelType.MidjourneyPlus, "https://api.openai-sb.com", ProbeFamily.TaskOnly),
        new(ChannelType.OpenAIMax, "https://api.openaimax.com", ProbeFamily.OpenAi),
        new(ChannelType.OhMyGpt, "https://api.ohmygpt.com", ProbeFamily.OpenAi),
        new(ChannelType.Custom, "", ProbeFamily.OpenAi),
        new(ChannelType.Ails, "https://api.caipacity.com", ProbeFamily.OpenAi),
        new(ChannelType.AiProxy, "https://api.aiproxy.io", ProbeFamily.OpenAi),
        new(ChannelType.PaLM, "", ProbeFamily.Native),
        new(ChannelType.Api2Gpt, "https://api.api2gpt.com", ProbeFamily.OpenAi),
        new(ChannelType.Aigc2D, "https://api.aigc2d.com", ProbeFamily.OpenAi),
        new(ChannelType.Anthropic, "https://api.anthropic.com", ProbeFamily.Claude),
        new(ChannelType.Baidu, "https://aip.baidubce.com", ProbeFamily.Native),
        new(ChannelType.Zhipu, "https://open.bigmodel.cn", ProbeFamily.Native),
        new(ChannelType.Ali, "https://dashscope.aliyuncs.com", ProbeFamily.OpenAi, "/compatible-mode/v1/chat/completions", "/compatible-mode/v1/models"),
        new(ChannelType.Xunfei, "", ProbeFamily.Native),
        new(ChannelType.Ai360, "https://api.360.cn", ProbeFamily.OpenAi),
        new(ChannelType.OpenRouter, "https://openrouter.ai/api", ProbeFamily.OpenAi),
        new(ChannelType.AiProxyLibrary, "https://api.aiproxy.io", ProbeFamily.Native),
        new(ChannelType.FastGpt, "https://fastgpt.run/api/openapi", ProbeFamily.OpenAi),
        new(ChannelType.Tencent, "https://hunyuan.tencentcloudapi.com", ProbeFamily.Native),
        new(ChannelType.Gemini, "https://generativelanguage.googleapis.com", ProbeFamily.Gemini),
        new(ChannelType.Moonshot, "https://api.moonshot.cn", ProbeFamily.OpenAi),
        new(ChannelType.ZhipuV4, "https://open.bigmodel.cn", ProbeFamily.OpenAi, "/api/paas/v4/chat/completions", "/api/paas/v4/models"),
        new(ChannelType.Perplexity, "https://api.perplexity.ai", ProbeFamily.OpenAi, "/chat/completions"),
        new(ChannelType.LingYiWanWu, "https://api.lingyiwanwu.com", ProbeFamily.OpenAi),
        new(ChannelType.Aws, "", ProbeFamily.Native),
        new(ChannelType.Cohere, "https://api.cohere.ai", ProbeFamily.Native),
        new(ChannelType.MiniMax, "https://api.minimax.chat", ProbeFamily.OpenAi, "/v1/text/chatcompletion_v2"),
        new(ChannelType.SunoApi, "", ProbeFamily.TaskOnly),
        new(ChannelType.Dify, "https://api.dify.ai", ProbeFamily.Native),
        new(ChannelType.Jina, "https://api.jina.ai", ProbeFamily.OpenAi),
        new(ChannelType.Cloudflare, "https://api.cloudflare.com", ProbeFamily.Native),
        new(ChannelType.SiliconFlow, "https://api.siliconflow.cn", ProbeFamily.OpenAi),
        new(ChannelType.VertexAi, "", ProbeFamily.Native),
        new(ChannelType.Mistral, "https://api.mistral.ai", ProbeFamily.OpenAi),
        new(ChannelType.DeepSeek, "https://api.deepseek.com", ProbeFamily.OpenAi),
        new(ChannelType.MokaAi, "https://api.moka.ai", ProbeFamily.OpenAi),
        new(ChannelType.VolcEngine, "https://ark.cn-beijing.volces.com", ProbeFamily.OpenAi, "/api/v3/chat/completions", "/api/v3/models"),
        new(ChannelType.BaiduV2, "https://qianfan.baidubce.com", ProbeFamily.OpenAi, "/v2/chat/completions", "/v2/models"),
        new(ChannelType.Xinference, "", ProbeFamily.OpenAi),
        new(ChannelType.XAi, "https://api.x.ai", ProbeFamily.OpenAi),
        new(ChannelType.Coze, "https://api.coze.cn", ProbeFamily.Native),
        new(ChannelType.Kling, "https://api.klingai.com", ProbeFamily.TaskOnly),
        new(ChannelType.Jimeng, "https://visual.volcengineapi.com", ProbeFamily.TaskOnly),
        new(ChannelType.Vidu, "https://api.vidu.cn", ProbeFamily.TaskOnly),
        new(ChannelType.Submodel, "https://llm.submodel.ai", ProbeFamily.OpenAi),
        new(ChannelType.DoubaoVideo, "https://ark.cn-beijing.volces.com", ProbeFamily.TaskOnly),
        new(ChannelType.Sora, "https://api.openai.com", ProbeFamily.Native),
        new(ChannelType.Replicate, "https://api.replicate.com", ProbeFamily.Native),
        new(ChannelType.Codex, "https://chatgpt.com", ProbeFamily.Native),
        new(ChannelType.AdvancedCustom, "", ProbeFamily.Native),
    }.ToFrozenDictionary(p => p.Type);

    private static readonly ChannelProfile Fallback = new(ChannelType.Unknown, "", ProbeFamily.OpenAi);

    public static ChannelProfile For(ChannelType type) => Table.TryGetValue(type, out var p) ? p : Fallback with { Type = type };

    /// <summary>The URL requests go to: the channel's own base URL, else the type's default, without a trailing slash.</summary>
    public static string BaseUrl(ChannelType type, string? channelBaseUrl) =>
        (string.IsNullOrWhiteSpace(channelBaseUrl) ? For(type).DefaultBaseUrl : channelBaseUrl.Trim()).TrimEnd('/');
}
