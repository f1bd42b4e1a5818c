using System.Net;
using System.Net.WebSockets;
using NewApi.Common;
using NewApi.Config;
using NewApi.Relay.Adapters;
using NewApi.Relay.Adapters.OpenAi;
using NewApi.Relay.Errors;
using NewApi.Relay.Http;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Routing;
using NewApi.Relay.Upstream;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Realtime;

/// <summary>The upstream end of a realtime session: socket, channel, mapped model and how long the handshake took.</summary>
public sealed record RealtimeUpstream(ClientWebSocket Socket, ChannelRow Channel, string UpstreamModel, long ConnectMs) : IDisposable
{
    public void Dispose() => Socket.Dispose();
}

/// <summary>
/// Opens the upstream realtime socket (relay.md §5.2) before the client's is accepted, so every failure is still a
/// plain HTTP error: channel picked like any request (tiers, retries on another channel while attempts remain),
/// <c>wss://…/v1/realtime?model=</c> (Azure: <c>/openai/realtime?api-version=&amp;deployment=</c>), through the channel's
/// proxy. A client that sent its key as a subprotocol gets the channel key the same way; otherwise headers carry it.
/// </summary>
public sealed class RealtimeConnector(ChannelCache channels, ChannelSelector selector, ChannelRuntimes runtimes, IRandomSource random, OutboundHttp http,
    RelayPolicy policy, ChannelDisabler disabler, RelaySection config, TimeProvider time)
{
    public async Task<(RealtimeUpstream? Upstream, RelayError? Error)> ConnectAsync(RelayContext rc, bool keyAsProtocol, CancellationToken ct)
    {
        var pinned = rc.Caller.PinnedChannel;
        var max = pinned is null ? policy.Current.RetryTimes : 0;
        RelayError? last = null;
        for (var attempt = 0; attempt <= max && !ct.IsCancellationRequested; attempt++)
        {
            var channel = pinned ?? selector.Select(channels.Current, rc.Group, rc.Request.Model, attempt, rc.Tried);
            if (channel is null) break;
            rc.Tried.Add(channel.Id);
            var (upstream, error, target) = await TryChannelAsync(channel, rc.Request.Model, keyAsProtocol, rc.Http.Request.Headers, ct);
            if (upstream is not null) return (upstream, null);
            last = error;
            // The same auto-disable rule as every other route (relay.md §2.19): e.g. a 401 on the handshake.
            if (target is not null && policy.Current.ShouldDisable(error!, channel.AutoBan))
                await disabler.DisableAsync(channel, target.Runtime, target.KeyIndex, error!.Message);
            if (!policy.Current.ShouldRetry(error!)) break;
        }
        return (null, last ?? RelayError.Local(503, $"No available channel for model {rc.Request.Model} under group {rc.Group} (distributor)",
            ErrorCodes.ModelNotFound));
    }

    private async Task<(RealtimeUpstream?, RelayError?, UpstreamTarget?)> TryChannelAsync(ChannelRow channel, string model, bool keyAsProtocol,
        Microsoft.AspNetCore.Http.IHeaderDictionary clientHeaders, CancellationToken ct)
    {
        if (ProviderAdapters.For(channel.Type) is not { } adapter || !adapter.Supports(RouteKind.Realtime))
            return (null, RelayError.Local(400, $"channel type {(int)channel.Type} cannot serve /v1/realtime", "invalid_api_type", skipRetry: false,
                type: ErrorTypes.InvalidRequest), null);
        var runtime = runtimes.For(channel);
        var (upstreamModel, mapError) = ModelMapper.Map(model, runtime.ModelMapping, runtime.ModelMappingInvalid);
        if (mapError is not null) return (null, mapError, null);
        var (target, targetError) = DirectCall.Target(channel, runtime, -1, random);
        if (target is null) return (null, targetError! with { SkipRetry = false }, null);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        Authorize(socket.Options, target, keyAsProtocol);
        // header_override applies to the handshake as to every other upstream request (Host cannot be set on it).
        var options = socket.Options;
        if (HeaderOverride.Apply((name, value) =>
            {
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) return;
                try { options.SetRequestHeader(name, value); }
                catch (ArgumentException) { /* a name or value a WebSocket handshake cannot carry: left out */ }
            }, runtime.HeaderOverride, runtime.HeaderOverrideInvalid, clientHeaders, target.Key) is { } hoError)
        {
            socket.Dispose();
            return (null, hoError, target);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, config.FirstByteTimeout)), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var start = time.GetTimestamp();
        try
        {
            await socket.ConnectAsync(Uri(target, upstreamModel), http.Upstream(runtime.Proxy), linked.Token);
            return (new RealtimeUpstream(socket, channel, upstreamModel, (long)time.GetElapsedTime(start).TotalMilliseconds), null, target);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var status = socket.HttpStatusCode is var s && s != 0 ? (int)s : timeout.IsCancellationRequested ? 504 : 502;
            socket.Dispose();
            var message = status is 504 ? "upstream did not answer in time" : $"upstream refused the realtime session ({status})";
            return (null, RelayError.Local(status, message, ErrorCodes.DoRequestFailed, skipRetry: false) with { UpstreamStatus = status }, target);
        }
    }

    private static void Authorize(ClientWebSocketOptions options, UpstreamTarget target, bool keyAsProtocol)
    {
        var azure = target.Profile.Auth == AuthStyle.AzureApiKey;
        if (keyAsProtocol && !azure)
        {
            options.AddSubProtocol("realtime");
            options.AddSubProtocol("openai-insecure-api-key." + target.Key);
            options.AddSubProtocol("openai-beta.realtime-v1");
            return;
        }
        options.SetRequestHeader(azure ? "api-key" : "Authorization", azure ? target.Key : "Bearer " + target.Key);
        options.SetRequestHeader("openai-beta", "realtime=v1");
    }

    private static Uri Uri(UpstreamTarget target, string model)
    {
        var baseUrl = target.BaseUrl.TrimEnd('/');
        if (baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) baseUrl = "wss://" + baseUrl[8..];
        else if (baseUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) baseUrl = "ws://" + baseUrl[7..];
        var m = WebUtility.UrlEncode(model);
        if (target.Channel.Type == ChannelType.Azure)
        {
            var version = target.Channel.Other.Length > 0 ? target.Channel.Other : OpenAiAdapter.DefaultAzureApiVersion;
            return new Uri($"{baseUrl}/openai/realtime?api-version={WebUtility.UrlEncode(version)}&deployment={m}");
        }
        return new Uri($"{baseUrl}{target.Profile.PathPrefix}/realtime?model={m}");
    }
}
