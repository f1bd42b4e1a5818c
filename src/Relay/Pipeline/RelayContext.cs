using Microsoft.AspNetCore.Http;
using NewApi.Billing.Prices;
using NewApi.Relay.Auth;

namespace NewApi.Relay.Pipeline;

/// <summary>Everything one relayed request carries from stage to stage (typed; nothing goes through HttpContext.Items).</summary>
public sealed class RelayContext
{
    public required HttpContext Http { get; init; }
    public required RouteKind Kind { get; init; }
    public required RelayCaller Caller { get; init; }
    public required RelayRequest Request { get; init; }
    public required RequestBody Body { get; init; }
    /// <summary>The group the request routes and bills in (an auto token's resolved group).</summary>
    public required string Group { get; set; }
    public required long StartTimestamp { get; init; }
    public required long StartUnix { get; init; }
    public ModelPricing Pricing { get; set; }
    public GroupPricing GroupPricing { get; set; }
    public int PromptEstimate { get; set; }
    /// <summary>Channels tried so far, in order (admin_info.use_channel).</summary>
    public List<long> Tried { get; } = [];
    public string RequestId => Http.TraceIdentifier;
    public string Path => Http.Request.Path.Value ?? "";
}
