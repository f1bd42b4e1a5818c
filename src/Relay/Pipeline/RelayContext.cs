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
    /// <summary><see cref="RelayPipeline.RunLimitedAsync"/> disposes <see cref="Request"/> and <see cref="Body"/> when it ends.</summary>
    public bool OwnsInput { get; init; }
    public ModelPricing Pricing { get; set; }
    public GroupPricing GroupPricing { get; set; }
    /// <summary>
    /// The local prompt token estimate, counted on first use: a trusted caller's request whose upstream reports usage
    /// never needs it, and tokenizing a long prompt costs milliseconds. Set <see cref="EstimatePrompt"/> to enable it.
    /// </summary>
    public int PromptEstimate
    {
        get => _promptEstimate ??= EstimatePrompt?.Invoke(this) ?? 0;
        set => _promptEstimate = value;
    }

    /// <summary>How <see cref="PromptEstimate"/> is counted (null: 0, as when count_token is off).</summary>
    public Func<RelayContext, int>? EstimatePrompt { get; set; }

    /// <summary>The estimate has been counted (or set).</summary>
    public bool PromptEstimated => _promptEstimate.HasValue;

    private int? _promptEstimate;
    /// <summary>Channels tried so far, in order (admin_info.use_channel).</summary>
    public List<long> Tried { get; } = [];
    public string RequestId => Http.TraceIdentifier;
    public string Path => Http.Request.Path.Value ?? "";
}
