using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Http;
using NewApi.Storage.Options;

namespace NewApi.Admin.Site;

/// <summary>
/// GET /api/uptime/status: for each configured Uptime Kuma group (console_setting.uptime_kuma_groups) reads the status
/// page and its heartbeats (10 s per call, 30 s overall). A failing page yields an empty monitor list, never an error.
/// </summary>
public sealed class UptimeGroups(OutboundHttp http)
{
    public async Task<JsonArray> FetchAsync(OptionsSnapshot options, CancellationToken ct)
    {
        var result = new JsonArray();
        if (!options.GetBool("console_setting.uptime_kuma_enabled")) return result;
        JsonArray? groups;
        try { groups = JsonNode.Parse(options.Get("console_setting.uptime_kuma_groups", "[]")) as JsonArray; }
        catch (JsonException) { return result; }
        if (groups is null) return result;
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        overall.CancelAfter(TimeSpan.FromSeconds(30));
        var tasks = groups.OfType<JsonObject>().Select(g => FetchGroupAsync(g, overall.Token)).ToList();
        foreach (var t in tasks) result.Add((JsonNode)await t);
        return result;
    }

    private async Task<JsonObject> FetchGroupAsync(JsonObject group, CancellationToken ct)
    {
        var name = (string?)group["categoryName"] ?? "";
        var url = ((string?)group["url"] ?? "").TrimEnd('/');
        var slug = (string?)group["slug"] ?? "";
        var monitors = new JsonArray();
        if (url.Length > 0 && slug.Length > 0 && Uri.TryCreate(url, UriKind.Absolute, out var baseUri) && baseUri.Scheme is "http" or "https")
        {
            try
            {
                var page = await GetJsonAsync($"{url}/api/status-page/{Uri.EscapeDataString(slug)}", ct);
                var beats = await GetJsonAsync($"{url}/api/status-page/heartbeat/{Uri.EscapeDataString(slug)}", ct);
                foreach (var pg in page?["publicGroupList"]?.AsArray() ?? [])
                {
                    var groupName = (string?)pg?["name"] ?? "";
                    foreach (var m in pg?["monitorList"]?.AsArray() ?? [])
                    {
                        var id = m?["id"]?.ToString() ?? "";
                        var list = beats?["heartbeatList"]?[id] as JsonArray;
                        var status = list is { Count: > 0 } ? (int?)list[^1]?["status"] ?? 0 : 0;
                        var uptime = (double?)beats?["uptimeList"]?[id + "_24"] ?? 0;
                        monitors.Add((JsonNode)new JsonObject { ["name"] = (string?)m?["name"] ?? "", ["uptime"] = uptime, ["status"] = status, ["group"] = groupName });
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException or InvalidOperationException)
            {
                monitors.Clear();
            }
        }
        return new JsonObject { ["categoryName"] = name, ["monitors"] = monitors };
    }

    private async Task<JsonNode?> GetJsonAsync(string url, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        using var resp = await http.Trusted.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        resp.EnsureSuccessStatusCode();
        await using var s = await resp.Content.ReadAsStreamAsync(cts.Token);
        return await JsonNode.ParseAsync(s, cancellationToken: cts.Token);
    }
}
