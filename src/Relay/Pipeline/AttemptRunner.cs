using NewApi.Config;
using NewApi.Relay.Adapters;
using NewApi.Relay.Errors;
using NewApi.Relay.Http;
using NewApi.Relay.Routing;
using NewApi.Relay.Streaming;
using NewApi.Relay.Upstream;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Pipeline;

/// <summary>One attempt on one channel: key, upstream request, send (connect and first-byte timeouts), relay the answer.</summary>
public sealed class AttemptRunner(ChannelRuntimes runtimes, IRandomSource random, OutboundHttp http, ResponseRelay responses, RelayBilling billing,
    RelaySection config, TimeProvider time)
{
    public sealed record Result(AttemptOutcome Outcome, ServedBy? Served, ChannelRuntime? Runtime, int KeyIndex, string? BaseUrl);

    public async Task<Result> RunAsync(RelayContext rc, ChannelRow channel, CancellationToken clientGone)
    {
        var adapter = ProviderAdapters.For(channel.Type);
        if (adapter is null || !adapter.Supports(rc.Kind))
            return Fail(RelayError.Local(500, $"channel type {(int)channel.Type} cannot serve {rc.Path}", "invalid_api_type", skipRetry: false));
        var runtime = runtimes.For(channel);
        var keyIndex = runtime.PickKey(random);
        if (keyIndex < 0) return Fail(RelayError.Local(500, "no available key in channel", ErrorCodes.ChannelNoAvailableKey, skipRetry: false), runtime);
        var profile = VendorProfiles.For(channel.Type)!;
        var baseUrl = string.IsNullOrWhiteSpace(channel.BaseUrl) ? profile.DefaultBaseUrl : channel.BaseUrl.Trim();
        if (baseUrl.Length == 0) return Fail(RelayError.Local(500, "channel base URL is not set", ErrorCodes.DoRequestFailed, skipRetry: false), runtime);
        var target = new UpstreamTarget(channel, runtime, profile, runtime.Keys[keyIndex], keyIndex, baseUrl);
        var (call, buildError) = UpstreamRequestBuilder.Build(rc.Http, rc.Request, rc.Body, adapter, target, config.ForceStreamOption);
        if (buildError is not null) return new Result(new AttemptOutcome { Error = buildError }, null, runtime, keyIndex, baseUrl);
        using var request = call!.Request;
        var start = time.GetTimestamp();
        var (response, sendError) = await SendAsync(runtime, request, clientGone);
        if (response is null) return new Result(sendError!, null, runtime, keyIndex, baseUrl);
        using (response)
        {
            var frt = (long)time.GetElapsedTime(start).TotalMilliseconds;
            var outcome = await responses.RelayAsync(rc.Http, response, adapter.CreateUsageTap(rc.Request), rc.Request,
                tap => billing.SyntheticUsageChunk(rc, tap), clientGone);
            var served = new ServedBy(channel, call.UpstreamModel, call.SystemPromptOverwritten, frt, outcome, false) { KeyIndex = keyIndex };
            return new Result(outcome, served, runtime, keyIndex, baseUrl);
        }
    }

    private async Task<(HttpResponseMessage?, AttemptOutcome?)> SendAsync(ChannelRuntime runtime, HttpRequestMessage request, CancellationToken clientGone)
    {
        using var firstByte = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, config.FirstByteTimeout)), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, firstByte.Token);
        try
        {
            var response = await http.Upstream(runtime.Proxy).SendAsync(request, linked.Token);
            return (response, null);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return (null, new AttemptOutcome { ClientGone = true });
        }
        catch (OperationCanceledException) when (firstByte.IsCancellationRequested)
        {
            return (null, new AttemptOutcome { Error = RelayError.Local(504, "upstream did not answer in time", ErrorCodes.UpstreamTimeout, skipRetry: false) });
        }
        catch (HttpRequestException)
        {
            // new-api: the transport failure's own text (addresses, DNS names) never reaches the caller.
            return (null, new AttemptOutcome { Error = RelayError.Local(500, "upstream error: do request failed", ErrorCodes.DoRequestFailed, skipRetry: false) });
        }
    }

    private static Result Fail(RelayError error, ChannelRuntime? runtime = null) => new(new AttemptOutcome { Error = error }, null, runtime, -1, null);
}
