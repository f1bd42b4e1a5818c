using System.Buffers;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Adapters;
using NewApi.Relay.Errors;
using NewApi.Relay.Routing;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Upstream;

/// <summary>
/// A call to one known channel outside the billed attempt loop (reading or deleting a stored response, opening a
/// realtime socket): the channel's target for a given key, and its error answer turned into a scrubbed
/// <see cref="RelayError"/> (status mapping applied, keys and addresses removed).
/// </summary>
public static class DirectCall
{
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>The target for <paramref name="keyIndex"/> (−1 or a disabled key: a key picked as the relay would).</summary>
    public static (UpstreamTarget? Target, RelayError? Error) Target(ChannelRow channel, ChannelRuntime runtime, int keyIndex, IRandomSource random)
    {
        if (keyIndex < 0 || keyIndex >= runtime.Keys.Count || runtime.DisabledKeys.Contains(keyIndex)) keyIndex = runtime.PickKey(random);
        if (keyIndex < 0) return (null, RelayError.Local(503, "no available key in channel", ErrorCodes.ChannelNoAvailableKey));
        var profile = VendorProfiles.For(channel.Type);
        if (profile is null) return (null, RelayError.Local(503, $"channel type {(int)channel.Type} cannot serve this route", "invalid_api_type"));
        var baseUrl = string.IsNullOrWhiteSpace(channel.BaseUrl) ? profile.DefaultBaseUrl : channel.BaseUrl.Trim();
        if (baseUrl.Length == 0) return (null, RelayError.Local(503, "channel base URL is not set", ErrorCodes.DoRequestFailed));
        return (new UpstreamTarget(channel, runtime, profile, runtime.Keys[keyIndex], keyIndex, baseUrl), null);
    }

    /// <summary>Reads (bounded) an upstream error answer into the error the client gets.</summary>
    public static async Task<RelayError> ErrorAsync(HttpResponseMessage response, UpstreamTarget target, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBody);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var length = await body.ReadAtLeastAsync(buffer.AsMemory(0, MaxErrorBody), MaxErrorBody, throwOnEndOfStream: false, ct);
            var error = UpstreamErrorParser.Parse((int)response.StatusCode, buffer.AsSpan(0, length));
            var status = target.Runtime.StatusCodeMapping.TryGetValue(error.Status, out var mapped) ? mapped : error.Status;
            return error with { Status = status, Message = MessageScrubber.Scrub(error.Message, target.Runtime.Keys, target.BaseUrl) };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends the client's query string to an upstream URI that may already carry one (Azure's api-version).</summary>
    public static Uri WithQuery(Uri uri, QueryString query)
    {
        if (!query.HasValue) return uri;
        var q = query.Value!.TrimStart('?');
        return new Uri(uri + (uri.Query.Length > 0 ? "&" : "?") + q);
    }
}
