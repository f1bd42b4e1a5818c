using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Adapters;
using NewApi.Relay.Adapters.OpenAi;
using NewApi.Relay.Convert;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Formats;

/// <summary>
/// Where a converted chat request goes and how it is signed, per upstream dialect (relay.md §4.1): OpenAI-compatible
/// vendors through <see cref="OpenAiAdapter"/>; Anthropic <c>/v1/messages</c> (+<c>?beta=true</c>) with <c>x-api-key</c>,
/// <c>anthropic-version</c> (the client's or 2023-06-01) and the client's <c>anthropic-beta</c>; Gemini
/// <c>/v1beta/models/{model}:generateContent</c> or <c>:streamGenerateContent?alt=sse</c> with <c>x-goog-api-key</c>.
/// </summary>
public static class ChatUpstream
{
    public const string DefaultAnthropicVersion = "2023-06-01";

    public static Uri Uri(WireFamily upstream, UpstreamTarget target, string model, bool stream, HttpRequest client)
    {
        var baseUrl = target.BaseUrl.TrimEnd('/');
        switch (upstream)
        {
            case WireFamily.Claude:
                var beta = client.Query["beta"].ToString() == "true" ? "?beta=true" : "";
                return new Uri(baseUrl + WithoutVersion(baseUrl, "/v1") + "/messages" + beta);
            case WireFamily.Gemini:
                return GeminiUri(target, model, stream ? "streamGenerateContent?alt=sse" : "generateContent");
            case WireFamily.Responses:
                return OpenAiAdapter.Instance.BuildUri(target, RouteKind.Responses, "/v1/responses", model);
            default:
                return OpenAiAdapter.Instance.BuildUri(target, RouteKind.ChatCompletions, "/v1/chat/completions", model);
        }
    }

    /// <summary>A Gemini model method: <c>{base}/v1beta/models/{model}:{action}</c>.</summary>
    public static Uri GeminiUri(UpstreamTarget target, string model, string action)
    {
        var baseUrl = target.BaseUrl.TrimEnd('/');
        return new Uri(baseUrl + WithoutVersion(baseUrl, target.Profile.PathPrefix) + "/models/" + System.Uri.EscapeDataString(model) + ":" + action);
    }

    public static void ApplyAuth(WireFamily upstream, HttpRequestMessage request, UpstreamTarget target, IHeaderDictionary client)
    {
        switch (upstream)
        {
            case WireFamily.Claude:
                request.Headers.TryAddWithoutValidation("x-api-key", target.Key);
                var version = client["anthropic-version"].ToString();
                request.Headers.TryAddWithoutValidation("anthropic-version", version.Length > 0 ? version : DefaultAnthropicVersion);
                if (client["anthropic-beta"].ToString() is { Length: > 0 } betas) request.Headers.TryAddWithoutValidation("anthropic-beta", betas);
                break;
            case WireFamily.Gemini:
                request.Headers.TryAddWithoutValidation("x-goog-api-key", target.Key);
                break;
            default:
                OpenAiAdapter.Instance.ApplyAuth(request, target);
                break;
        }
    }

    /// <summary>A base URL that already ends in the version (https://host/v1) is not given it twice.</summary>
    private static string WithoutVersion(string baseUrl, string version) =>
        version.Length > 0 && baseUrl.EndsWith(version, StringComparison.OrdinalIgnoreCase) ? "" : version;

    public static MediaTypeWithQualityHeaderValue Accept(bool stream) => new(stream ? "text/event-stream" : "application/json");
}
