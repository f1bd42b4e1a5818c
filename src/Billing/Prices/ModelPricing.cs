namespace NewApi.Billing.Prices;

/// <summary>Everything the quota formula needs about one model, resolved from the price tables.</summary>
public readonly record struct ModelPricing
{
    public required string Model { get; init; }
    /// <summary>True when the model is billed per call (<see cref="ModelPrice"/> USD), not per token.</summary>
    public bool UsePrice { get; init; }
    public double ModelPrice { get; init; }
    public double ModelRatio { get; init; }
    /// <summary>False when the model has neither a price nor a ratio (New API then refuses unless self-use mode).</summary>
    public bool Configured { get; init; }
    public double CompletionRatio { get; init; }
    public double CacheRatio { get; init; }
    public double CreateCacheRatio { get; init; }
    public double ImageRatio { get; init; }
    public double AudioRatio { get; init; }
    public double AudioCompletionRatio { get; init; }
    public bool HasAudioRatio { get; init; }
}

/// <summary>The group ratio that applies, and the user-group override when one matched (−1 when none, as New API logs it).</summary>
public readonly record struct GroupPricing(double Ratio, double UserGroupRatio)
{
    public bool HasUserGroupRatio => UserGroupRatio >= 0;
}
