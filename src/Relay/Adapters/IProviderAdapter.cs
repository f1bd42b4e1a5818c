using System.Text.Json.Nodes;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;

namespace NewApi.Relay.Adapters;

/// <summary>
/// One upstream protocol family. The pipeline asks it, per attempt, for the URL, the credentials and the family's
/// body rules; everything vendor-specific is data in <see cref="VendorProfile"/>. A route a family cannot serve is
/// declared by <see cref="Supports"/>, never stubbed.
/// </summary>
public interface IProviderAdapter
{
    /// <summary>A short name for logs and the "request_conversion" log field.</summary>
    string Name { get; }

    bool Supports(RouteKind kind);

    /// <summary>The upstream URL for <paramref name="clientPath"/> (e.g. /v1/chat/completions) and the mapped model.</summary>
    Uri BuildUri(UpstreamTarget target, RouteKind kind, string clientPath, string upstreamModel);

    /// <summary>Credentials and the family's fixed headers.</summary>
    void ApplyAuth(HttpRequestMessage request, UpstreamTarget target);

    /// <summary>Family rules on the upstream JSON body (stream options, fields the vendor refuses, model-family quirks).</summary>
    void PrepareBody(JsonObject body, UpstreamTarget target, RelayRequest request, bool forceStreamUsage);

    /// <summary>True when <see cref="PrepareBody"/> would change nothing, so the client's bytes can be sent as they are.</summary>
    bool BodyUnchanged(UpstreamTarget target, RelayRequest request, bool forceStreamUsage);

    /// <summary>Reads usage (and, for the no-usage fallback, the delivered text) from this family's responses.</summary>
    IUsageTap CreateUsageTap(RelayRequest request);
}
