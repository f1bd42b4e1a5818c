namespace NewApi.Billing.Ledger;

/// <summary>What the relay asks to reserve before calling an upstream (relay.md §3.5).</summary>
public readonly record struct HoldRequest
{
    public required string RequestId { get; init; }
    public required long UserId { get; init; }
    /// <summary>0 for the playground (no token is charged).</summary>
    public long TokenId { get; init; }
    public bool TokenUnlimited { get; init; }
    public required long Amount { get; init; }
}

/// <summary>
/// Quota held for one request. <see cref="ReservationId"/> is 0 when nothing was written (trusted caller or a zero
/// amount); settle and release are then pure deltas. <see cref="TokenTracked"/>: the token's remaining quota moves
/// with this request (a limited token; unlimited tokens only count used quota).
/// </summary>
public sealed record Hold(long ReservationId, long UserId, long TokenId, bool TokenTracked, long Amount)
{
    public bool Reserved => ReservationId > 0;
}

public enum HoldStatus
{
    Held,
    /// <summary>Both balances are above the trust threshold: nothing is reserved.</summary>
    Trusted,
    /// <summary>The user's quota is zero or negative.</summary>
    UserExhausted,
    /// <summary>The user's quota does not cover the amount.</summary>
    UserInsufficient,
    /// <summary>The token's remaining quota does not cover the amount.</summary>
    TokenInsufficient,
}

public readonly record struct HoldOutcome(HoldStatus Status, Hold? Hold, long UserQuota)
{
    public bool Ok => Status is HoldStatus.Held or HoldStatus.Trusted;
}
