using System.Collections.Concurrent;

namespace NewApi.Billing.Limits;

/// <summary>Why a token's own limits refused a request.</summary>
public enum TokenLimitVerdict { Allowed, Rpm, Tpm, Concurrency }

/// <summary>
/// Per-token requests per minute, tokens per minute and concurrent requests (tokens.rpm_limit, tpm_limit,
/// concurrency_limit; 0 = none), in memory and lock-free. TPM counts the prompt + completion tokens that finished
/// requests reported in the last 60 seconds, so a token over its budget waits for the window to slide.
/// </summary>
public sealed class TokenLimiter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<long, State> _states = new();

    public TokenLimitVerdict TryEnter(long tokenId, int rpm, int tpm, int concurrency)
    {
        if (rpm <= 0 && tpm <= 0 && concurrency <= 0) return TokenLimitVerdict.Allowed;
        var state = _states.GetOrAdd(tokenId, static (_, f) => new State(f), time.TimestampFrequency);
        var now = time.GetTimestamp();
        if (tpm > 0 && state.Tokens.Sum(now) >= tpm) return TokenLimitVerdict.Tpm;
        if (rpm > 0 && state.Requests.Sum(now) >= rpm) return TokenLimitVerdict.Rpm;
        if (concurrency > 0 && Interlocked.Increment(ref state.InFlight) > concurrency)
        {
            Interlocked.Decrement(ref state.InFlight);
            return TokenLimitVerdict.Concurrency;
        }
        state.Requests.Add(now, 1);
        return TokenLimitVerdict.Allowed;
    }

    /// <summary>Ends a request admitted with a concurrency limit.</summary>
    public void Exit(long tokenId)
    {
        if (_states.TryGetValue(tokenId, out var state)) Interlocked.Decrement(ref state.InFlight);
    }

    public void RecordTokens(long tokenId, long tokens)
    {
        if (tokens > 0 && _states.TryGetValue(tokenId, out var state)) state.Tokens.Add(time.GetTimestamp(), tokens);
    }

    private sealed class State(long frequency)
    {
        public readonly SlidingCounter Requests = new(Window, 60, frequency);
        public readonly SlidingCounter Tokens = new(Window, 60, frequency);
        public int InFlight;
    }
}
