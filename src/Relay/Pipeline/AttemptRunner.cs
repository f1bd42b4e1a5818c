using System.Text.Json.Nodes;
using NewApi.Config;
using NewApi.Relay.Convert;
using NewApi.Relay.Formats;
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
    ConvertedCallBuilder converter, ConvertedRelay converted, ConvertedResponseStore stored, RelaySection config, TimeProvider time)
{
    public sealed record Result(AttemptOutcome Outcome, ServedBy? Served, ChannelRuntime? Runtime, int KeyIndex, string? BaseUrl);

    public async Task<Result> RunAsync(RelayContext rc, ChannelRow channel, CancellationToken clientGone)
    {
        var adapter = ProviderAdapters.For(channel.Type);
        var profile = VendorProfiles.For(channel.Type);
        if (!ChatDialects.TryRoute(rc.Kind, profile, adapter, out var client, out var upstream))
            // New API answers invalid_api_type with 500; the caller chose a model whose channel cannot serve this route, so
            // it is the caller's 400 (another channel of the model is still tried first).
            return Fail(RelayError.Local(400, $"channel type {(int)channel.Type} cannot serve {rc.Path}", "invalid_api_type", skipRetry: false,
                type: ErrorTypes.InvalidRequest));
        var runtime = runtimes.For(channel);
        var keyIndex = runtime.PickKey(random);
        if (keyIndex < 0) return Fail(RelayError.Local(500, "no available key in channel", ErrorCodes.ChannelNoAvailableKey, skipRetry: false), runtime);
        var baseUrl = string.IsNullOrWhiteSpace(channel.BaseUrl) ? profile!.DefaultBaseUrl : channel.BaseUrl.Trim();
        if (baseUrl.Length == 0) return Fail(RelayError.Local(500, "channel base URL is not set", ErrorCodes.DoRequestFailed, skipRetry: false), runtime);
        var target = new UpstreamTarget(channel, runtime, profile!, runtime.Keys[keyIndex], keyIndex, baseUrl);
        if (client is { } from)
            return EmbeddingConverter.IsEmbedding(rc.Kind)
                ? await RunEmbeddingAsync(rc, target, from, upstream, clientGone)
                : await RunConvertedAsync(rc, target, from, upstream, clientGone);
        var (call, buildError) = UpstreamRequestBuilder.Build(rc.Http, rc.Request, rc.Body, adapter!, target, config.ForceStreamOption);
        if (buildError is not null) return new Result(new AttemptOutcome { Error = buildError }, null, runtime, keyIndex, baseUrl);
        using var request = call!.Request;
        var start = time.GetTimestamp();
        var (response, sendError) = await SendAsync(rc, runtime, request, clientGone);
        if (response is null) return new Result(sendError!, null, runtime, keyIndex, baseUrl);
        using (response)
        {
            var frt = (long)time.GetElapsedTime(start).TotalMilliseconds;
            var outcome = await responses.RelayAsync(rc.Http, response, adapter!.CreateUsageTap(rc.Request), rc.Request,
                tap => billing.SyntheticUsageChunk(rc, tap), clientGone);
            var served = new ServedBy(channel, call.UpstreamModel, call.SystemPromptOverwritten, frt, outcome, false) { KeyIndex = keyIndex };
            return new Result(outcome, served, runtime, keyIndex, baseUrl);
        }
    }

    /// <summary>An attempt whose client and channel speak different dialects (or a Claude/Gemini channel): converted both ways.</summary>
    private async Task<Result> RunConvertedAsync(RelayContext rc, UpstreamTarget target, WireFamily client, WireFamily upstream, CancellationToken clientGone)
    {
        var (call, clientBody, buildError) = await converter.BuildAsync(rc, target, client, upstream, clientGone);
        if (buildError is not null) return new Result(new AttemptOutcome { Error = buildError }, null, target.Runtime, target.KeyIndex, target.BaseUrl);
        using var message = call!.Request;
        var options = new ResponseOptions
        {
            NowUnixSeconds = rc.StartUnix, Model = rc.Request.Model, EstimatedPromptTokens = rc.PromptEstimate,
            IncludeUsage = rc.Request.ClientWantsUsage != false,
            GeminiJsonArray = client == WireFamily.Gemini && rc.Request.Stream && rc.Http.Request.Query["alt"].ToString() != "sse",
            ClientRequest = client == WireFamily.Responses ? clientBody : null,
            OnResponse = client == WireFamily.Responses ? response => stored.Remember(rc.Caller.User.Id, clientBody!, response) : null,
            EstimateUsage = text => billing.EstimateUsage(rc, text),
        };
        return await ExchangeAsync(rc, target, message, call, client, upstream,
            response => converted.RelayAsync(rc.Http, response, upstream, client, rc.Request.Stream, options, clientGone), clientGone);
    }

    /// <summary>An embeddings attempt between OpenAI's and Gemini's APIs, or Gemini's to a Gemini channel (<see cref="EmbeddingRelay"/>).</summary>
    private async Task<Result> RunEmbeddingAsync(RelayContext rc, UpstreamTarget target, WireFamily client, WireFamily upstream, CancellationToken clientGone)
    {
        var (call, buildError) = EmbeddingRelay.Build(rc, target, client, upstream);
        if (buildError is not null) return new Result(new AttemptOutcome { Error = buildError }, null, target.Runtime, target.KeyIndex, target.BaseUrl);
        using var message = call!.Request;
        return await ExchangeAsync(rc, target, message, call, client, upstream,
            response => EmbeddingRelay.RelayAsync(rc, response, client, upstream, clientGone), clientGone);
    }

    /// <summary>Sends a built call and relays its answer; the served-by facts of a conversion (first byte time, dialects, key).</summary>
    private async Task<Result> ExchangeAsync(RelayContext rc, UpstreamTarget target, HttpRequestMessage message, UpstreamCall call, WireFamily client,
        WireFamily upstream, Func<HttpResponseMessage, Task<AttemptOutcome>> relay, CancellationToken clientGone)
    {
        var start = time.GetTimestamp();
        var (response, sendError) = await SendAsync(rc, target.Runtime, message, clientGone);
        if (response is null) return new Result(sendError!, null, target.Runtime, target.KeyIndex, target.BaseUrl);
        using (response)
        {
            var frt = (long)time.GetElapsedTime(start).TotalMilliseconds;
            var outcome = await relay(response);
            var served = new ServedBy(target.Channel, call.UpstreamModel, call.SystemPromptOverwritten, frt, outcome, false)
            {
                KeyIndex = target.KeyIndex, ClaudeUpstream = upstream == WireFamily.Claude,
                Conversion = client == upstream ? null : [ChatDialects.Name(client), ChatDialects.Name(upstream)],
            };
            return new Result(outcome, served, target.Runtime, target.KeyIndex, target.BaseUrl);
        }
    }

    private async Task<(HttpResponseMessage?, AttemptOutcome?)> SendAsync(RelayContext rc, ChannelRuntime runtime, HttpRequestMessage request,
        CancellationToken clientGone)
    {
        var deadline = RelayDeadline.Start(config.RelayTimeout, time);
        rc.Http.Features.Set(deadline);
        var wait = RelayDeadline.Window(deadline, TimeSpan.FromSeconds(Math.Max(1, config.FirstByteTimeout)));
        // One token for "the client left or the first byte is late": a pooled source (its timer and registrations are
        // reused call after call), cancelled by its own timer or by the client's token.
        var until = RentUntil();
        until.CancelAfter(wait);
        var clientLink = clientGone.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), until);
        try
        {
            var response = await http.Upstream(runtime.Proxy).SendAsync(request, until.Token);
            return (response, null);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return (null, new AttemptOutcome { ClientGone = true });
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
            return (null, new AttemptOutcome { Error = RelayError.Local(504, "upstream did not answer in time", ErrorCodes.UpstreamTimeout, skipRetry: false) });
        }
        catch (HttpRequestException)
        {
            // new-api: the transport failure's own text (addresses, DNS names) never reaches the caller.
            return (null, new AttemptOutcome { Error = RelayError.Local(500, "upstream error: do request failed", ErrorCodes.DoRequestFailed, skipRetry: false) });
        }
        finally
        {
            clientLink.Dispose();   // waits for a running cancel callback: nothing cancels the source after this
            ReturnUntil(until);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<CancellationTokenSource> _untilPool = new();

    private CancellationTokenSource RentUntil() =>
        _untilPool.TryDequeue(out var cts) ? cts : new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);

    /// <summary>Back to the pool when never cancelled (TryReset stops its timer and drops its registrations); disposed otherwise.</summary>
    private void ReturnUntil(CancellationTokenSource cts)
    {
        if (_untilPool.Count < 1024 && cts.TryReset()) _untilPool.Enqueue(cts);
        else cts.Dispose();
    }

    private static Result Fail(RelayError error, ChannelRuntime? runtime = null) => new(new AttemptOutcome { Error = error }, null, runtime, -1, null);
}
