using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Auth.Registration;

/// <summary>Where Cloudflare's siteverify lives and the client that reaches it (Hosting wires the outbound client; tests point it at a fake).</summary>
public sealed record TurnstileSiteVerify(HttpClient Client, Uri Url)
{
    public static readonly Uri Cloudflare = new("https://challenges.cloudflare.com/turnstile/v0/siteverify");
}

/// <summary>Checks a Turnstile response token with siteverify (secret, response, remoteip).</summary>
public sealed class TurnstileVerifier(TurnstileSiteVerify endpoint, OptionsStore options, TimeProvider time)
{
    public async Task<bool> VerifyAsync(string token, string remoteIp, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var form = new List<KeyValuePair<string, string>>
        {
            new("secret", options.Current.Get("TurnstileSecretKey")),
            new("response", token),
        };
        if (remoteIp.Length > 0) form.Add(new("remoteip", remoteIp));
        try
        {
            using var resp = await endpoint.Client.PostAsync(endpoint.Url, new FormUrlEncodedContent(form), linked.Token);
            if (!resp.IsSuccessStatusCode) return false;
            await using var body = await resp.Content.ReadAsStreamAsync(linked.Token);
            using var doc = await JsonDocument.ParseAsync(body, default, linked.Token);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("success"u8, out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;   // siteverify unreachable or garbled: the check fails closed
        }
    }
}
