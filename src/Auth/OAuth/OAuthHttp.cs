using System.Text;

namespace NewApi.Auth.OAuth;

/// <summary>
/// Outbound calls of the sign-in flows. The client is the SSRF-guarded one (registered by the composition root from
/// Relay's OutboundHttp.Guarded): provider endpoints are admin-set URLs reached from a public route, so loopback,
/// private and metadata addresses are refused unless fetch_setting.allow_private_ip is on.
/// </summary>
public sealed class OAuthHttp(HttpClient client)
{
    private const int MaxBody = 1 << 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public sealed record Reply(int Status, string Body, Uri? FinalUri);

    /// <summary>Sends and reads at most 1 MiB; throws <see cref="OAuthException"/> when the server cannot be reached.</summary>
    public async Task<Reply> SendAsync(HttpRequestMessage request, string provider, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            var buffer = new byte[MaxBody];
            var total = 0;
            int n;
            while (total < MaxBody && (n = await stream.ReadAsync(buffer.AsMemory(total), cts.Token)) > 0) total += n;
            return new Reply((int)response.StatusCode, Encoding.UTF8.GetString(buffer, 0, total), response.RequestMessage?.RequestUri);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            ct.ThrowIfCancellationRequested();
            throw new OAuthException($"Unable to connect to {provider} server, please try again later");
        }
    }
}

/// <summary>A sign-in failure whose message is safe to show the user.</summary>
public sealed class OAuthException(string message) : Exception(message);
