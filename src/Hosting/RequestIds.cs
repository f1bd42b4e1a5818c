using Microsoft.AspNetCore.Http;
using NewApi.Common;

namespace NewApi.Hosting;

/// <summary>
/// X-Oneapi-Request-Id like New API's: UTC yyyyMMddHHmmss + 9 digits of sub-second time + 8 hex (build) + 8 random
/// alphanumerics. Stored as HttpContext.TraceIdentifier so every layer sees the same id.
/// </summary>
public static class RequestIds
{
    /// <summary>8 hex digits naming the build (FNV-1a of the version): a label, so no crypto library is loaded for it.</summary>
    private static readonly string BuildHash =
        Fnv1a.Hash64(System.Text.Encoding.UTF8.GetBytes(BuildInfo.Version)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture)[..8];

    public static string New(TimeProvider time)
    {
        var now = time.GetUtcNow();
        var nanos = (now.Ticks % TimeSpan.TicksPerSecond) * 100;
        return string.Create(null, stackalloc char[48], $"{now:yyyyMMddHHmmss}{nanos:D9}{BuildHash}{new RandomSuffix()}");
    }

    /// <summary>8 alphanumerics from a fast generator: a request id is a label, not a secret (no crypto RNG per request).</summary>
    private readonly struct RandomSuffix : ISpanFormattable
    {
        private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            charsWritten = 0;
            if (destination.Length < 8) return false;
            var bits = (ulong)Random.Shared.NextInt64();
            for (var i = 0; i < 8; i++, bits >>= 6) destination[i] = Alphabet[(int)(bits % 62)];
            charsWritten = 8;
            return true;
        }

        public string ToString(string? format, IFormatProvider? formatProvider)
        {
            Span<char> s = stackalloc char[8];
            TryFormat(s, out _, default, null);
            return new string(s);
        }

        public override string ToString() => ToString(null, null);
    }

    public static async Task MiddlewareAsync(HttpContext ctx, RequestDelegate next, TimeProvider time)
    {
        var id = New(time);
        ctx.TraceIdentifier = id;
        var headers = ctx.Response.Headers;
        headers["X-Oneapi-Request-Id"] = id;
        headers["X-New-Api-Version"] = BuildInfo.Version;
        await next(ctx);
    }
}
