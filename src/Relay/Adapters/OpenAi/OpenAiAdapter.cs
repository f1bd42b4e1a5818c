using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Billing.Prices;
using NewApi.Common;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;

namespace NewApi.Relay.Adapters.OpenAi;

/// <summary>
/// The OpenAI family: OpenAI itself, every OpenAI-compatible vendor in <see cref="VendorProfiles"/> (path = profile
/// prefix + the client path after /v1, <c>Authorization: Bearer</c>), Custom (the base URL is the whole URL, {model}
/// replaced) and Azure OpenAI (<c>/openai/deployments/&lt;model&gt;/…?api-version=</c>, header <c>api-key</c>).
/// </summary>
public sealed class OpenAiAdapter : IProviderAdapter
{
    public const string DefaultAzureApiVersion = "2025-04-01-preview";
    public static readonly OpenAiAdapter Instance = new();

    public string Name => "OpenAI Compatible";

    public bool Supports(RouteKind kind) => kind is RouteKind.ChatCompletions or RouteKind.Completions or RouteKind.Embeddings
        or RouteKind.Moderations or RouteKind.ImageGenerations or RouteKind.Responses or RouteKind.Rerank
        or RouteKind.ImageEdits or RouteKind.AudioSpeech or RouteKind.AudioTranscription or RouteKind.AudioTranslation
        or RouteKind.ResponsesCompact or RouteKind.Realtime;

    public Uri BuildUri(UpstreamTarget target, RouteKind kind, string clientPath, string upstreamModel)
    {
        if (target.Channel.Type is not (ChannelType.Custom or ChannelType.Azure))
            return target.Runtime.UriFor(clientPath, target, static (t, path) =>
                new Uri(t.BaseUrl.TrimEnd('/') + t.Profile.PathPrefix + (path.StartsWith("/v1/", StringComparison.Ordinal) ? path[3..] : path)));
        var baseUrl = target.BaseUrl.TrimEnd('/');
        var rest = clientPath.StartsWith("/v1/", StringComparison.Ordinal) ? clientPath[3..] : clientPath;
        switch (target.Channel.Type)
        {
            case ChannelType.Custom:
                return new Uri(baseUrl.Replace("{model}", upstreamModel, StringComparison.Ordinal));
            case ChannelType.Azure:
                var version = target.Channel.Other.Length > 0 ? target.Channel.Other : DefaultAzureApiVersion;
                // New API: channels created before 2025-05-10 strip dots from the deployment name; new ones keep them.
                var deployment = target.Channel.CreatedTime is > 0 and < AzureDotCutoff ? upstreamModel.Replace(".", "") : upstreamModel;
                return new Uri($"{baseUrl}/openai/deployments/{Uri.EscapeDataString(deployment)}{rest}?api-version={Uri.EscapeDataString(version)}");
            default:
                return new Uri(baseUrl + target.Profile.PathPrefix + rest);
        }
    }

    private const long AzureDotCutoff = 1_746_835_200;   // 2025-05-10T00:00:00Z

    public void ApplyAuth(HttpRequestMessage request, UpstreamTarget target)
    {
        if (target.Profile.Auth == AuthStyle.AzureApiKey) request.Headers.TryAddWithoutValidation("api-key", target.Key);
        else request.Headers.TryAddWithoutValidation("Authorization", target.Runtime.BearerFor(target.KeyIndex, target.Key));
        if (target.Channel.Type == ChannelType.OpenAI && !string.IsNullOrEmpty(target.Channel.OpenAiOrganization))
            request.Headers.TryAddWithoutValidation("OpenAI-Organization", target.Channel.OpenAiOrganization);
    }

    public bool BodyUnchanged(UpstreamTarget target, RelayRequest request, bool forceStreamUsage)
    {
        var present = request.Present;
        if (request.RewritesModel) return false;
        if (IsChatLike(request.Kind) && (request.Stream || (present & RootField.StreamOptions) != 0)) return false;
        if (IsReasoningModel(request.Model)) return false;
        if (!target.Runtime.AllowServiceTier && (present & RootField.ServiceTier) != 0) return false;
        if (!target.Runtime.AllowSafetyIdentifier && (present & RootField.SafetyIdentifier) != 0) return false;
        return !(target.Runtime.DisableStore && (present & RootField.Store) != 0);
    }

    public void PrepareBody(JsonObject body, UpstreamTarget target, RelayRequest request, bool forceStreamUsage)
    {
        if (IsChatLike(request.Kind)) StreamOptions(body, target, request, forceStreamUsage);
        if (!target.Runtime.AllowServiceTier) body.Remove("service_tier");
        if (!target.Runtime.AllowSafetyIdentifier) body.Remove("safety_identifier");
        if (target.Runtime.DisableStore) body.Remove("store");
        if (IsChatLike(request.Kind) || request.Kind is RouteKind.Responses) ReasoningModelRules(body, body["model"]?.GetValue<string>() ?? request.Model);
        // relay.md §1.2: the compact price key is ours; the upstream gets the model name without it.
        if (request.Kind == RouteKind.ResponsesCompact && body["model"]?.GetValue<string>() is { } m && m.EndsWith(PriceTables.CompactSuffix, StringComparison.Ordinal))
            body["model"] = JsonValue.Create(m[..^PriceTables.CompactSuffix.Length]);
    }

    /// <summary>Chat and completions take stream_options; the Responses, image and audio APIs refuse include_usage.</summary>
    private static bool IsChatLike(RouteKind kind) => kind is RouteKind.ChatCompletions or RouteKind.Completions;

    public IUsageTap CreateUsageTap(RelayRequest request) => request.Rule?.CreateTap(request) ?? new OpenAiUsageTap(request.Kind);

    /// <summary>relay.md §2.9: ask for a usage chunk when the vendor accepts stream_options; drop them otherwise.</summary>
    private static void StreamOptions(JsonObject body, UpstreamTarget target, RelayRequest request, bool force)
    {
        if (!request.Stream || !target.Profile.StreamOptions)
        {
            body.Remove("stream_options");
            return;
        }
        var options = body["stream_options"] as JsonObject;
        if (force)
        {
            if (options is null) body["stream_options"] = options = [];
            options["include_usage"] = JsonValue.Create(true);
        }
        if (options is not null && !target.Runtime.AllowIncludeObfuscation) options.Remove("include_obfuscation");
    }

    private static bool IsReasoningModel(string model) => IsOSeries(model) || model.StartsWith("gpt-5", StringComparison.Ordinal);

    private static bool IsOSeries(string model) => model.Length > 1 && model[0] == 'o' && char.IsAsciiDigit(model[1]);

    /// <summary>relay.md §4.10: o-series and gpt-5 take max_completion_tokens and refuse some sampling fields.</summary>
    private static void ReasoningModelRules(JsonObject body, string model)
    {
        if (!IsReasoningModel(model)) return;
        if (body["max_tokens"] is { } max && body["max_completion_tokens"] is null)
        {
            body.Remove("max_tokens");
            body["max_completion_tokens"] = max;
        }
        body.Remove("temperature");
        if (!model.StartsWith("gpt-5", StringComparison.Ordinal)) return;
        body.Remove("top_p");
        body.Remove("logprobs");
    }

    /// <summary>Reads an int from a JSON usage object (tolerates absent and non-numeric values).</summary>
    internal static long Int(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;
}
