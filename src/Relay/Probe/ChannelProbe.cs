using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Common;
using NewApi.Relay.Http;

namespace NewApi.Relay.Probe;

/// <summary>
/// The upstream calls behind the channel admin routes: a tiny real request per protocol family (channel test), the
/// upstream model list, and the provider's balance API. Admin-configured base URLs go through the Trusted client (a
/// home-lab Ollama may be on a private address); URLs taken from a request body go through the Guarded one.
/// </summary>
public sealed class ChannelProbe(OutboundHttp http, TimeProvider time)
{
    /// <summary>Upper bound for one probe call: a test that hangs must not hold an admin request (or the test-all run) forever.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private const int MaxBodyBytes = 1 << 20;
    private const int MaxStreamBytes = 64 << 10;
    public const string DefaultAzureApiVersion = "2025-04-01-preview";

    public async Task<ProbeOutcome> TestAsync(ProbeTarget target, ProbeRequest request, CancellationToken ct)
    {
        var profile = ChannelProfiles.For(target.Type);
        if (profile.Family == ProbeFamily.TaskOnly) return ProbeOutcome.Failure($"{target.Type} channel test is not supported", "channel_test_unsupported");
        if (profile.Family == ProbeFamily.Native)
            return ProbeOutcome.Failure($"{target.Type} channel test is not supported: the upstream protocol is not OpenAI, Claude or Gemini", "channel_test_unsupported");
        HttpRequestMessage? built;
        try
        {
            built = Build(target, profile, request);
        }
        catch (Exception e) when (e is FormatException or UriFormatException)
        {
            return ProbeOutcome.Failure("the channel key or base URL cannot be used in an HTTP request: " + e.GetType().Name, "invalid_request");
        }
        if (built is null) return ProbeOutcome.Failure($"{request.Kind} test is not supported for {target.Type} channels", "channel_test_unsupported");
        using var message = built;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(CallTimeout);
        try
        {
            using var response = await http.Trusted.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var text = await ReadCappedAsync(response.Content, request.Stream ? MaxStreamBytes : MaxBodyBytes, cts.Token);
            return Scrub(Interpret((int)response.StatusCode, text, request.Stream), target.Key);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
        {
            return ProbeOutcome.Failure(Scrub("upstream request failed: " + e.Message, target.Key), "do_request_failed");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ProbeOutcome.Failure($"upstream request timed out after {CallTimeout.TotalSeconds:0} s", "do_request_failed");
        }
    }

    public Task<ModelListOutcome> ListModelsAsync(ProbeTarget target, bool guarded, CancellationToken ct) =>
        UpstreamModels.ListAsync(guarded ? http.Guarded : http.Trusted, target, ct);

    public Task<BalanceOutcome> FetchBalanceAsync(ProbeTarget target, double cnyPerUsd, CancellationToken ct) =>
        BalanceApis.FetchAsync(http.Trusted, target, cnyPerUsd, time.GetUtcNow(), ct);

    private static HttpRequestMessage? Build(ProbeTarget t, ChannelProfile profile, ProbeRequest r)
    {
        var (url, body) = profile.Family switch
        {
            ProbeFamily.Claude => r.Kind == ProbeKind.Chat ? (t.BaseUrl + "/v1/messages", ProbeBodies.ClaudeMessages(r.Model, r.Stream)) : default,
            ProbeFamily.Gemini => r.Kind switch
            {
                ProbeKind.Chat => (t.BaseUrl + "/v1beta/models/" + Uri.EscapeDataString(r.Model)
                    + (r.Stream ? ":streamGenerateContent?alt=sse" : ":generateContent"), ProbeBodies.GeminiGenerate()),
                ProbeKind.Embeddings => (t.BaseUrl + "/v1beta/models/" + Uri.EscapeDataString(r.Model) + ":embedContent", ProbeBodies.GeminiEmbed()),
                _ => default,
            },
            ProbeFamily.Azure => AzureRequest(t, r),
            _ => OpenAiRequest(t, profile, r),
        };
        if (url is null || body is null) return null;
        var message = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        ApplyAuth(message, t, profile.Family);
        ApplyHeaderOverride(message, t);
        if (r.Stream) message.Headers.Accept.ParseAdd("text/event-stream");
        return message;
    }

    private static (string?, JsonObject?) OpenAiRequest(ProbeTarget t, ChannelProfile profile, ProbeRequest r) => r.Kind switch
    {
        // new-api: a Custom channel's base URL is the complete endpoint, with {model} substituted.
        ProbeKind.Chat when t.Type == ChannelType.Custom => (t.BaseUrl.Replace("{model}", r.Model, StringComparison.Ordinal), ProbeBodies.OpenAiChat(r.Model, r.Stream)),
        ProbeKind.Chat => (t.BaseUrl + profile.ChatPath, ProbeBodies.OpenAiChat(r.Model, r.Stream)),
        ProbeKind.Embeddings => (t.BaseUrl + "/v1/embeddings", ProbeBodies.Embeddings(r.Model)),
        ProbeKind.Rerank => (t.BaseUrl + "/v1/rerank", ProbeBodies.Rerank(r.Model)),
        ProbeKind.Image => (t.BaseUrl + "/v1/images/generations", ProbeBodies.Image(r.Model)),
        ProbeKind.Responses => (t.BaseUrl + "/v1/responses", ProbeBodies.Responses(r.Model, r.Stream)),
        _ => (null, null),
    };

    private static (string?, JsonObject?) AzureRequest(ProbeTarget t, ProbeRequest r)
    {
        var version = string.IsNullOrWhiteSpace(t.Other) ? DefaultAzureApiVersion : t.Other.Trim();
        var deployment = t.BaseUrl + "/openai/deployments/" + Uri.EscapeDataString(r.Model);
        var query = "?api-version=" + Uri.EscapeDataString(version);
        return r.Kind switch
        {
            ProbeKind.Chat => (deployment + "/chat/completions" + query, ProbeBodies.OpenAiChat(r.Model, r.Stream)),
            ProbeKind.Embeddings => (deployment + "/embeddings" + query, ProbeBodies.Embeddings(r.Model)),
            ProbeKind.Image => (deployment + "/images/generations" + query, ProbeBodies.Image(r.Model)),
            ProbeKind.Responses => (t.BaseUrl + "/openai/v1/responses?api-version=preview", ProbeBodies.Responses(r.Model, r.Stream)),
            _ => (null, null),
        };
    }

    internal static void ApplyAuth(HttpRequestMessage m, ProbeTarget t, ProbeFamily family)
    {
        switch (family)
        {
            case ProbeFamily.Claude:
                m.Headers.TryAddWithoutValidation("x-api-key", t.Key);
                m.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
                break;
            case ProbeFamily.Gemini:
                m.Headers.TryAddWithoutValidation("x-goog-api-key", t.Key);
                break;
            case ProbeFamily.Azure:
                m.Headers.TryAddWithoutValidation("api-key", t.Key);
                break;
            default:
                if (t.Key.Length > 0) m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t.Key);
                if (t.Type == ChannelType.OpenAI && !string.IsNullOrWhiteSpace(t.Organization))
                    m.Headers.TryAddWithoutValidation("OpenAI-Organization", t.Organization.Trim());
                break;
        }
    }

    /// <summary>Explicit header overrides (they may replace auth); client pass-through rules have no client here and are skipped.</summary>
    internal static void ApplyHeaderOverride(HttpRequestMessage m, ProbeTarget t)
    {
        if (string.IsNullOrWhiteSpace(t.HeaderOverride)) return;
        JsonObject? map;
        try { map = JsonNode.Parse(t.HeaderOverride) as JsonObject; }
        catch (JsonException) { return; }
        if (map is null) return;
        foreach (var (name, node) in map)
        {
            if (name == "*" || name.StartsWith("re:", StringComparison.Ordinal) || name.StartsWith("regex:", StringComparison.Ordinal)) continue;
            if (node is not JsonValue v || !v.TryGetValue<string>(out var value)) continue;
            if (value.StartsWith("{client_header:", StringComparison.Ordinal)) continue;
            value = value.Replace("{api_key}", t.Key, StringComparison.Ordinal);
            m.Headers.Remove(name);
            if (!m.Headers.TryAddWithoutValidation(name, value)) m.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }

    internal static async Task<string> ReadCappedAsync(HttpContent content, int max, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[max];
        var total = 0;
        int n;
        while (total < max && (n = await stream.ReadAsync(buffer.AsMemory(total, max - total), ct)) > 0) total += n;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static ProbeOutcome Interpret(int status, string text, bool stream)
    {
        if (status != 200) return ProbeOutcome.Failure(UpstreamErrorText(status, text, out var code, out var type), code ?? "bad_response_status_code", status, type);
        return stream ? ProbeStream.Interpret(text) : InterpretJson(text);
    }

    private static ProbeOutcome InterpretJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return ProbeOutcome.Failure("upstream returned an empty body", "bad_response_body", 200);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (ProbeBodies.Error(doc.RootElement) is { } err) return ProbeOutcome.Failure("upstream error: " + err.Message, err.Code ?? "bad_response_body", 200, err.Type);
            var usage = ProbeBodies.Usage(doc.RootElement) ?? (0, 0);
            return ProbeOutcome.Success(usage.Prompt, usage.Completion);
        }
        catch (JsonException)
        {
            return ProbeOutcome.Failure("upstream returned a body that is not JSON", "bad_response_body", 200);
        }
    }

    internal static string UpstreamErrorText(int status, string text, out string? code, out string? type)
    {
        code = null;
        type = null;
        var detail = text.Length > 1000 ? text[..1000] : text;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (ProbeBodies.Error(doc.RootElement) is { } err)
            {
                (detail, code, type) = err;
            }
            else if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String)
            {
                detail = m.GetString() ?? detail;
            }
        }
        catch (JsonException)
        {
            // not JSON: the (capped) raw body is the detail
        }
        return $"status code {status}: {detail.Trim()}";
    }

    private static ProbeOutcome Scrub(ProbeOutcome o, string key) => o.Ok ? o : o with { Message = Scrub(o.Message, key) };

    /// <summary>An upstream that echoes the credential must not make an admin page (or a log) show it.</summary>
    internal static string Scrub(string text, string key) =>
        key.Length >= 4 ? text.Replace(key, Secrets.ForLog(key), StringComparison.Ordinal) : text;
}
