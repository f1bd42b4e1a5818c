using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace NewApi.Hosting.Front;

/// <summary>
/// A strict HTTP/1.1 request head parser for the requests the front loop serves itself: relay calls (POST or GET under
/// /v1 and /v1beta) with a Content-Length body. Anything it does not fully understand — other methods or paths,
/// percent-escapes, chunked or expect-continue bodies, upgrades, HTTP/1.0, odd bytes in a header, a missing Host — is
/// <see cref="Verdict.Handover"/>: Kestrel then reads the same bytes and answers exactly as it would have.
/// </summary>
internal static class RequestHead
{
    public enum Verdict { Incomplete, Serve, Handover }

    public sealed class Parsed
    {
        public string Method = "";
        public string Path = "";
        public string Query = "";
        public string RawTarget = "";
        public readonly HeaderDictionary Headers = new();
        public int HeadLength;
        public long ContentLength;
        public bool Close;

        public void Reset()
        {
            Headers.Clear();
            Query = "";
            ContentLength = 0;
            Close = false;
        }
    }

    private static readonly string[] KnownNames =
    [
        "Host", "Authorization", "Content-Type", "Content-Length", "User-Agent", "Accept", "Accept-Encoding", "Connection",
        "x-api-key", "x-goog-api-key", "anthropic-version", "anthropic-beta", "Accept-Language", "OpenAI-Organization",
        "X-Stainless-Lang", "X-Stainless-Package-Version", "X-Stainless-OS", "X-Stainless-Arch", "X-Stainless-Runtime",
        "X-Stainless-Runtime-Version", "X-Stainless-Retry-Count", "X-Stainless-Async", "X-Stainless-Timeout", "Cache-Control",
    ];

    /// <summary>Parses the head at the start of <paramref name="buffer"/>; on Serve, the body is the next ContentLength bytes.</summary>
    public static Verdict Parse(ReadOnlySpan<byte> buffer, Parsed into, int maxHead, long maxBody)
    {
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0) return buffer.Length >= maxHead ? Verdict.Handover : Verdict.Incomplete;
        into.Reset();
        var head = buffer[..(end + 2)];
        var lineEnd = head.IndexOf("\r\n"u8);
        if (!RequestLine(head[..lineEnd], into)) return Verdict.Handover;
        var rest = head[(lineEnd + 2)..];
        bool host = false, length = false;
        while (rest.Length > 0)
        {
            var eol = rest.IndexOf("\r\n"u8);
            var line = rest[..eol];
            rest = rest[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) return Verdict.Handover;
            var name = line[..colon];
            foreach (var c in name)
                if (!IsTokenChar(c)) return Verdict.Handover;
            var value = line[(colon + 1)..];
            while (value.Length > 0 && (value[0] == ' ' || value[0] == '\t')) value = value[1..];
            while (value.Length > 0 && (value[^1] == ' ' || value[^1] == '\t')) value = value[..^1];
            foreach (var c in value)
                if (c < 0x20 && c != '\t' || c >= 0x7f) return Verdict.Handover;
            if (Is(name, "content-length"u8))
            {
                if (length || !TryDigits(value, out into.ContentLength)) return Verdict.Handover;
                length = true;
            }
            else if (Is(name, "transfer-encoding"u8) || Is(name, "expect"u8) || Is(name, "upgrade"u8) || Is(name, "origin"u8)
                     || Is(name, "access-control-request-method"u8) || Is(name, "http2-settings"u8))
                return Verdict.Handover;
            else if (Is(name, "connection"u8))
            {
                if (EqualsIgnoreCase(value, "close"u8)) into.Close = true;
                else if (!EqualsIgnoreCase(value, "keep-alive"u8)) return Verdict.Handover;
            }
            else if (Is(name, "host"u8))
            {
                if (host || value.Length == 0) return Verdict.Handover;
                host = true;
            }
            var key = NameOf(name);
            var text = Encoding.ASCII.GetString(value);
            if (into.Headers.TryGetValue(key, out var existing)) into.Headers[key] = StringValues.Concat(existing, text);
            else into.Headers[key] = text;
        }
        if (!host || into.ContentLength > maxBody) return Verdict.Handover;
        into.HeadLength = end + 4;
        return Verdict.Serve;
    }

    private static bool RequestLine(ReadOnlySpan<byte> line, Parsed into)
    {
        string method;
        if (line.StartsWith("POST "u8)) method = HttpMethods.Post;
        else if (line.StartsWith("GET "u8)) method = HttpMethods.Get;
        else return false;
        line = line[(method.Length + 1)..];
        if (!line.EndsWith(" HTTP/1.1"u8)) return false;
        var target = line[..^9];
        if (!target.StartsWith("/v1/"u8) && !target.StartsWith("/v1beta/"u8)) return false;
        var q = -1;
        for (var i = 0; i < target.Length; i++)
        {
            var c = target[i];
            if (c == '?')
            {
                if (q >= 0) return false;
                q = i;
            }
            else if (!IsTargetChar(c) || c == '/' && q < 0 && i > 0 && target[i - 1] == '/') return false;
        }
        var path = q < 0 ? target : target[..q];
        if (path.IndexOf("/."u8) >= 0) return false;   // dot segments: Kestrel normalises them
        into.Method = method;
        into.RawTarget = Encoding.ASCII.GetString(target);
        into.Path = q < 0 ? into.RawTarget : into.RawTarget[..q];
        into.Query = q < 0 ? "" : into.RawTarget[q..];
        return true;
    }

    private static string NameOf(ReadOnlySpan<byte> name)
    {
        foreach (var known in KnownNames)
            if (known.Length == name.Length && EqualsIgnoreCase(name, known)) return known;
        return Encoding.ASCII.GetString(name);
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, string b)
    {
        for (var i = 0; i < a.Length; i++)
            if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
        return true;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower) => EqualsIgnoreCase(name, lower);

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lower)
    {
        if (a.Length != lower.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            var c = a[i];
            if (c is >= (byte)'A' and <= (byte)'Z') c |= 0x20;
            if (c != lower[i]) return false;
        }
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length is 0 or > 15) return false;
        foreach (var c in s)
        {
            if (c is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    private static bool IsTokenChar(byte c) =>
        c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'^' or (byte)'`' or (byte)'|' or (byte)'~';

    // Unreserved and sub-delims, ':' '@' '/' — no '%' (Kestrel decodes escapes; those requests are handed over).
    private static bool IsTargetChar(byte c) =>
        c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'('
            or (byte)')' or (byte)'*' or (byte)'+' or (byte)',' or (byte)';' or (byte)'=' or (byte)':' or (byte)'@' or (byte)'/';
}
