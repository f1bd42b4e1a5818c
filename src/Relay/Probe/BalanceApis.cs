using System.Globalization;
using System.Text.Json;
using NewApi.Common;

namespace NewApi.Relay.Probe;

/// <summary>
/// Provider balance APIs as data: per channel type the path (under the channel's base URL, or the provider's own host),
/// the auth header and how to read a USD balance from the reply. Types without a row answer "尚未实现" like New API.
/// </summary>
internal static class BalanceApis
{
    private enum Currency { Usd, Cny }

    private sealed record Api(string Path, Func<JsonElement, (double? Value, string? Error)> Read, Currency Currency = Currency.Usd,
        string? FixedBase = null, bool ApiKeyHeader = false);

    private static readonly Dictionary<ChannelType, Api> Table = new()
    {
        [ChannelType.AiProxy] = new("/api/report/getUserOverview", AiProxy, FixedBase: "https://aiproxy.io", ApiKeyHeader: true),
        [ChannelType.Api2Gpt] = new("/dashboard/billing/credit_grants", e => (Number(e, "total_remaining"), null)),
        [ChannelType.Aigc2D] = new("/dashboard/billing/credit_grants", e => (Number(e, "total_available"), null)),
        [ChannelType.SiliconFlow] = new("/v1/user/info", SiliconFlow, Currency.Cny),
        [ChannelType.DeepSeek] = new("/user/balance", DeepSeek, Currency.Cny),
        [ChannelType.OpenRouter] = new("/v1/credits", OpenRouter),
        [ChannelType.Moonshot] = new("/v1/users/me/balance", Moonshot, Currency.Cny),
    };

    /// <param name="cnyPerUsd">New API's "Price" option: converts providers that bill in CNY.</param>
    public static async Task<BalanceOutcome> FetchAsync(HttpClient client, ProbeTarget t, double cnyPerUsd, DateTimeOffset now, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(ChannelProbe.CallTimeout);
        try
        {
            if (t.Type is ChannelType.OpenAI or ChannelType.Custom) return await OpenAiDashboardAsync(client, t, now, cts.Token);
            if (!Table.TryGetValue(t.Type, out var api)) return new(null, "尚未实现");
            var (body, error) = await GetAsync(client, t, (api.FixedBase ?? t.BaseUrl) + api.Path, api.ApiKeyHeader, cts.Token);
            if (error is not null) return new(null, error);
            using var doc = JsonDocument.Parse(body!);
            var (value, readError) = api.Read(doc.RootElement);
            if (value is not { } v) return new(null, readError ?? "upstream returned no balance");
            // NewApi: New API stored DeepSeek's and SiliconFlow's CNY figures as if they were USD; every CNY balance is converted.
            if (api.Currency == Currency.Cny) v = cnyPerUsd > 0 ? v / cnyPerUsd : v;
            return new(Math.Round(v, 6), null);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or FormatException)
        {
            return new(null, ChannelProbe.Scrub(e.Message, t.Key));
        }
        catch (JsonException)
        {
            return new(null, "upstream returned a body that is not JSON");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(null, "upstream request timed out");
        }
    }

    /// <summary>OpenAI dashboard billing: hard limit minus this month's usage (100 days back without a payment method).</summary>
    private static async Task<BalanceOutcome> OpenAiDashboardAsync(HttpClient client, ProbeTarget t, DateTimeOffset now, CancellationToken ct)
    {
        var (sub, error) = await GetAsync(client, t, t.BaseUrl + "/v1/dashboard/billing/subscription", false, ct);
        if (error is not null) return new(null, error);
        double hardLimit;
        bool hasPayment;
        using (var doc = JsonDocument.Parse(sub!))
        {
            hardLimit = Number(doc.RootElement, "hard_limit_usd") ?? 0;
            hasPayment = doc.RootElement.TryGetProperty("has_payment_method"u8, out var p) && p.ValueKind == JsonValueKind.True;
        }
        var day = now.UtcDateTime.Date;
        var start = hasPayment ? new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc) : day.AddDays(-100);
        var url = t.BaseUrl + "/v1/dashboard/billing/usage?start_date=" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                  + "&end_date=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (usage, usageError) = await GetAsync(client, t, url, false, ct);
        if (usageError is not null) return new(null, usageError);
        using var u = JsonDocument.Parse(usage!);
        var totalCents = Number(u.RootElement, "total_usage") ?? 0;
        return new(Math.Round(hardLimit - totalCents / 100, 6), null);
    }

    private static async Task<(string? Body, string? Error)> GetAsync(HttpClient client, ProbeTarget t, string url, bool apiKeyHeader, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (apiKeyHeader) request.Headers.TryAddWithoutValidation("Api-Key", t.Key);
        else ChannelProbe.ApplyAuth(request, t, ProbeFamily.OpenAi);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await ChannelProbe.ReadCappedAsync(response.Content, 256 << 10, ct);
        return (int)response.StatusCode == 200 ? (text, null) : (null, $"status code: {(int)response.StatusCode}");
    }

    private static (double?, string?) AiProxy(JsonElement e) =>
        e.TryGetProperty("success"u8, out var s) && s.ValueKind == JsonValueKind.True
            ? (e.TryGetProperty("data"u8, out var d) ? Number(d, "totalPoints") : null, null)
            : (null, "code: " + (Number(e, "error_code") ?? 0).ToString(CultureInfo.InvariantCulture) + ", message: " + Text(e, "message"));

    private static (double?, string?) SiliconFlow(JsonElement e)
    {
        if ((Number(e, "code") ?? 0) != 20000) return (null, "code: " + (Number(e, "code") ?? 0).ToString(CultureInfo.InvariantCulture) + ", message: " + Text(e, "message"));
        return (e.TryGetProperty("data"u8, out var d) ? Number(d, "totalBalance") : null, null);
    }

    private static (double?, string?) DeepSeek(JsonElement e)
    {
        if (!e.TryGetProperty("balance_infos"u8, out var infos) || infos.ValueKind != JsonValueKind.Array) return (null, "currency CNY not found");
        foreach (var info in infos.EnumerateArray())
            if (Text(info, "currency") == "CNY") return (Number(info, "total_balance"), null);
        return (null, "currency CNY not found");
    }

    private static (double?, string?) OpenRouter(JsonElement e) =>
        e.TryGetProperty("data"u8, out var d) && Number(d, "total_credits") is { } credits ? (credits - (Number(d, "total_usage") ?? 0), null) : (null, null);

    private static (double?, string?) Moonshot(JsonElement e)
    {
        var ok = e.TryGetProperty("status"u8, out var s) && s.ValueKind == JsonValueKind.True && (Number(e, "code") ?? 0) == 0;
        if (!ok) return (null, "failed to update moonshot balance, code: " + (Number(e, "code") ?? 0).ToString(CultureInfo.InvariantCulture) + ", scode: " + Text(e, "scode"));
        return (e.TryGetProperty("data"u8, out var d) ? Number(d, "available_balance") : null, null);
    }

    /// <summary>A number that providers send either as a JSON number or as a decimal string.</summary>
    private static double? Number(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }

    private static string Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
