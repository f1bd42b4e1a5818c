namespace NewApi.Relay.Routing;

/// <summary>Randomness for weighted channel choice, injected so tests can script it.</summary>
public interface IRandomSource
{
    /// <summary>A value in [0, maxExclusive).</summary>
    long Next(long maxExclusive);
}

/// <summary>Weighting needs no cryptographic quality: the shared thread-safe generator.</summary>
internal sealed class SharedRandomSource : IRandomSource
{
    public long Next(long maxExclusive) => Random.Shared.NextInt64(maxExclusive);
}
