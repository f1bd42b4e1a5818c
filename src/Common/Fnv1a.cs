namespace NewApi.Common;

/// <summary>FNV-1a 64: a fast, stable, non-cryptographic hash for labels and validators (a build tag, an ETag), where
/// loading the crypto library for SHA-256 would cost ~3.5 MB resident and nothing needs collision resistance.</summary>
public static class Fnv1a
{
    public static ulong Hash64(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }
}
