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

    /// <summary>The last second's "yyyyMMddHHmmss", formatted once a second instead of once a request.</summary>
    private sealed record Second(long Number, string Text);

    private static Second _second = new(-1, "");

    public static string New(TimeProvider time)
    {
        var now = time.GetUtcNow();
        var number = now.Ticks / TimeSpan.TicksPerSecond;
        var second = _second;
        if (second.Number != number)
            _second = second = new Second(number, now.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var nanos = (now.Ticks % TimeSpan.TicksPerSecond) * 100;
        return string.Create(second.Text.Length + 9 + 8 + 8, (second.Text, nanos), static (span, state) =>
        {
            state.Text.CopyTo(span);
            var at = state.Text.Length;
            var n = state.nanos;
            for (var i = at + 8; i >= at; i--, n /= 10) span[i] = (char)('0' + n % 10);
            at += 9;
            BuildHash.CopyTo(span[at..]);
            at += 8;
            new RandomSuffix().TryFormat(span[at..], out _, default, null);
        });
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

    public static Task MiddlewareAsync(HttpContext ctx, RequestDelegate next, TimeProvider time)
    {
        var id = New(time);
        ctx.TraceIdentifier = id;
        var headers = ctx.Response.Headers;
        headers["X-Oneapi-Request-Id"] = id;
        headers["X-New-Api-Version"] = BuildInfo.Version;
        return next(ctx);
    }
}
