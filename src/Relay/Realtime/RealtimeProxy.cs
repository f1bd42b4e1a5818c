using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Billing.Ledger;
using NewApi.Billing.Tokens;
using NewApi.Config;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Realtime;

/// <summary>
/// GET /v1/realtime (relay.md §5.2): a WebSocket proxy to the channel's realtime endpoint. The key comes from
/// Authorization or the <c>openai-insecure-api-key.&lt;key&gt;</c> subprotocol, the model from <c>?model=</c>. Everything
/// that can fail — key, model, price, reservation, upstream handshake — is decided before the client's socket is
/// accepted, so failures are ordinary HTTP errors in OpenAI's shape.
/// </summary>
public static class RealtimeRoutes
{
    public const string Path = "/v1/realtime";

    public static void MapRealtime(this WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<RealtimeProxy>();
        app.UseWhen(ctx => ctx.Request.Path.Equals(Path, StringComparison.Ordinal), branch => branch.UseWebSockets());
        app.MapGet(Path, proxy.RunAsync);
    }
}

public sealed class RealtimeProxy(RelayAuthenticator auth, RelayLimits limits, AttemptLoop attempts, RelayBilling billing, RealtimeConnector connector,
    RealtimeBilling charges, TokenCounter counter, RelaySection config, TimeProvider time)
{
    private const string KeyProtocol = "openai-insecure-api-key.";

    public async Task RunAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await RelayErrorResponder.WriteAsync(ctx, RelayError.BadRequest("a WebSocket upgrade is required"), ct);
            return;
        }
        var (caller, authError) = await auth.AuthenticateAsync(ctx, ct);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, authError!, ct);
            return;
        }
        var model = ctx.Request.Query["model"].ToString();
        using var body = RequestBody.Copy(ModelBody(model));
        var (request, parseError) = RelayRequest.Parse(RouteKind.Realtime, body.Memory);
        if (request is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, parseError!, ct);
            return;
        }
        using (request)
        {
            request.Rule = new RealtimeRule();
            var rc = new RelayContext
            {
                Http = ctx, Kind = RouteKind.Realtime, Caller = caller, Request = request, Body = body, Group = caller.Group,
                StartTimestamp = time.GetTimestamp(), StartUnix = time.GetUtcNow().ToUnixTimeSeconds(),
            };
            var (lease, limitError) = limits.Enter(rc);
            if (limitError is not null)
            {
                await RelayErrorResponder.WriteAsync(ctx, limitError, ct);
                return;
            }
            try
            {
                await RunBilledAsync(rc, ct);
            }
            finally
            {
                limits.Exit(rc, lease);
            }
        }
    }

    private async Task RunBilledAsync(RelayContext rc, CancellationToken ct)
    {
        var error = attempts.Distribute(rc) ?? billing.Price(rc);
        Hold? hold = null;
        if (error is null) (hold, error) = await billing.HoldAsync(rc, ct);
        if (error is not null)
        {
            await RelayErrorResponder.WriteAsync(rc.Http, error, ct);
            return;
        }
        try
        {
            var protocols = rc.Http.WebSockets.WebSocketRequestedProtocols;
            var (upstream, connectError) = await connector.ConnectAsync(rc, protocols.Any(p => p.StartsWith(KeyProtocol, StringComparison.Ordinal)), ct);
            if (upstream is null)
            {
                await RelayErrorResponder.WriteAsync(rc.Http, connectError!, ct);
                return;
            }
            using (upstream)
            {
                using var client = await rc.Http.WebSockets.AcceptWebSocketAsync(Subprotocol(protocols));
                var meter = new RealtimeMeter(counter, rc.Request.Model);
                await new RealtimeSession(client, upstream, rc, hold!, meter, charges, config, time).RunAsync(ct);
            }
        }
        finally
        {
            await billing.ReleaseAsync(hold!);   // every response was charged on its own; the reservation only vouched for the balance
        }
    }

    /// <summary>The request as the pipeline pieces read it: the model, and stream (a session is logged as a stream).</summary>
    private static byte[] ModelBody(string model)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("stream", true);
            w.WriteString("model", model);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The subprotocol to answer: "realtime" when offered, else another non-key one (browsers refuse a handshake without one).</summary>
    private static string? Subprotocol(IList<string> offered)
    {
        if (offered.Contains("realtime")) return "realtime";
        return offered.FirstOrDefault(p => !p.StartsWith(KeyProtocol, StringComparison.Ordinal));
    }
}
