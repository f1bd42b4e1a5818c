using System.Text.Json;
using NewApi.Common;

namespace NewApi.Relay.Probe;

/// <summary>Lists the models an upstream offers: Ollama /api/tags, Gemini /v1beta/models (paged), else OpenAI-style /v1/models.</summary>
internal static class UpstreamModels
{
    private const int MaxBodyBytes = 4 << 20;
    private const int MaxGeminiPages = 20;

    public static async Task<ModelListOutcome> ListAsync(HttpClient client, ProbeTarget t, CancellationToken ct)
    {
        var profile = ChannelProfiles.For(t.Type);
        if (t.BaseUrl.Length == 0) return new(null, "渠道未设置 Base URL");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(ChannelProbe.CallTimeout);
        try
        {
            return profile.Family switch
            {
                ProbeFamily.Ollama => Parse(await GetAsync(client, t, profile.Family, t.BaseUrl + "/api/tags", cts.Token), "models", "name", ""),
                ProbeFamily.Gemini => await GeminiAsync(client, t, cts.Token),
                ProbeFamily.Azure => Parse(await GetAsync(client, t, profile.Family,
                    t.BaseUrl + "/openai/models?api-version=" + Uri.EscapeDataString(string.IsNullOrWhiteSpace(t.Other) ? ChannelProbe.DefaultAzureApiVersion : t.Other.Trim()),
                    cts.Token), "data", "id", ""),
                _ when t.Type == ChannelType.Custom => new(null, "自定义渠道的 Base URL 是完整的请求地址，无法获取模型列表"),
                _ => Parse(await GetAsync(client, t, profile.Family, t.BaseUrl + profile.ModelsPath, cts.Token), "data", "id", ""),
            };
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or FormatException)
        {
            return new(null, ChannelProbe.Scrub(e.Message, t.Key));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(null, "upstream request timed out");
        }
    }

    private static async Task<ModelListOutcome> GeminiAsync(HttpClient client, ProbeTarget t, CancellationToken ct)
    {
        var all = new List<string>();
        string? pageToken = null;
        for (var page = 0; page < MaxGeminiPages; page++)
        {
            var url = t.BaseUrl + "/v1beta/models?pageSize=1000" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var (body, error) = await GetAsync(client, t, ProbeFamily.Gemini, url, ct);
            if (error is not null) return new(null, error);
            var parsed = Parse((body, null), "models", "name", "models/");
            if (parsed.Models is null) return parsed;
            all.AddRange(parsed.Models);
            pageToken = NextPageToken(body!);
            if (string.IsNullOrEmpty(pageToken)) break;
        }
        return new(all, null);
    }

    private static string? NextPageToken(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("nextPageToken"u8, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static async Task<(string? Body, string? Error)> GetAsync(HttpClient client, ProbeTarget t, ProbeFamily family, string url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        ChannelProbe.ApplyAuth(request, t, family);
        ChannelProbe.ApplyHeaderOverride(request, t);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await ChannelProbe.ReadCappedAsync(response.Content, MaxBodyBytes, ct);
        if ((int)response.StatusCode != 200)
            return (null, ChannelProbe.Scrub(ChannelProbe.UpstreamErrorText((int)response.StatusCode, text, out _, out _), t.Key));
        return (text, null);
    }

    /// <summary>Picks <c>root[array][*][field]</c> (strings), dropping <paramref name="prefix"/>.</summary>
    private static ModelListOutcome Parse((string? Body, string? Error) got, string array, string field, string prefix)
    {
        if (got.Error is not null) return new(null, got.Error);
        try
        {
            using var doc = JsonDocument.Parse(got.Body!);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(array, out var items) || items.ValueKind != JsonValueKind.Array)
                return new(null, "upstream returned no model list");
            var list = new List<string>();
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.String) continue;
                var id = v.GetString()!;
                list.Add(prefix.Length > 0 && id.StartsWith(prefix, StringComparison.Ordinal) ? id[prefix.Length..] : id);
            }
            return new(list, null);
        }
        catch (JsonException)
        {
            return new(null, "upstream returned a body that is not JSON");
        }
    }
}
