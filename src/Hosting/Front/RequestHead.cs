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
    public enum Verdict { Incomplete, Serve, Handover, Reject }

    public sealed class Parsed
    {
        public string Method = "";
        public string Path = "";
        public string Query = "";
        public string RawTarget = "";
        public readonly FrontHeaders Headers = new();
        public int HeadLength;
        public long ContentLength;
        public bool Close;
        /// <summary>The previous head's strings, reused when the bytes repeat (slot 0: the target; then two per header).</summary>
        public readonly HeadStrings Strings = new();
        internal string? TargetSeen;
        internal string PathSeen = "", QuerySeen = "";
        /// <summary>On Reject: the status, the reason, and the path whose dialect the error is written in.</summary>
        public int RejectStatus;
        public string RejectMessage = "";
        public string RejectPath = "";

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

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>; on Serve, the body is the next ContentLength bytes. A head
    /// Kestrel would refuse with an empty 400/431/505 is <see cref="Verdict.Reject"/> when its target is an API path (the
    /// relay, /api): the loop answers in that caller's error format instead. Anything else unusual is Handover.
    /// </summary>
    public static Verdict Parse(ReadOnlySpan<byte> buffer, Parsed into, int maxHead, long maxBody)
    {
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            // Not HTTP (a TLS hello, binary noise): answered at once instead of after the header timeout.
            if (!StartsLikeRequest(buffer)) return Reject(into, buffer, 400, "Malformed request line", any: true);
            // A head ended by bare line feeds: Kestrel's parser decides (the loop's own one is strict).
            if (buffer.IndexOf("\n\n"u8) >= 0 || buffer.IndexOf("\n\r\n"u8) >= 0) return Verdict.Handover;
            if (buffer.Length < maxHead + RequestLineAllowance) return Verdict.Incomplete;
            return Reject(into, buffer, 431, "Request headers too large");
        }
        into.Reset();
        var head = buffer[..(end + 2)];
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = head[..lineEnd];
        var version = requestLine.LastIndexOf((byte)' ');
        if (requestLine.SequenceEqual("PRI * HTTP/2.0"u8)) return Verdict.Handover;   // HTTP/2's preface: Kestrel's GOAWAY tells the client to use 1.1
        if (version > 0 && !requestLine[(version + 1)..].SequenceEqual("HTTP/1.1"u8) && !requestLine[(version + 1)..].SequenceEqual("HTTP/1.0"u8))
            // 400, not Kestrel's 505: a malformed request is the client's error, and is answered whatever its path.
            return Reject(into, buffer, 400, requestLine[(version + 1)..].StartsWith("HTTP/"u8) ? "HTTP version not supported" : "Malformed request line", any: true);
        if (end + 2 - (lineEnd + 2) > maxHead) return Reject(into, buffer, 431, "Request headers too large");   // Kestrel's limit
        var serve = RequestLine(requestLine, into) && end + 4 <= maxHead;
        var http11 = requestLine.EndsWith(" HTTP/1.1"u8);
        var rest = head[(lineEnd + 2)..];
        bool host = false, length = false;
        var slot = 1;
        while (rest.Length > 0)
        {
            var eol = rest.IndexOf("\r\n"u8);
            var line = rest[..eol];
            rest = rest[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) return Reject(into, buffer, 400, "Malformed request header");
            var name = line[..colon];
            foreach (var c in name)
                if (!IsTokenChar(c)) return Reject(into, buffer, 400, "Malformed request header name");
            var value = line[(colon + 1)..];
            while (value.Length > 0 && (value[0] == ' ' || value[0] == '\t')) value = value[1..];
            while (value.Length > 0 && (value[^1] == ' ' || value[^1] == '\t')) value = value[..^1];
            foreach (var c in value)
            {
                if (c < 0x20 && c != '\t' || c == 0x7f) return Reject(into, buffer, 400, "Control character in a request header");
                if (c >= 0x80) serve = false;   // Kestrel's decision (it may refuse non-ASCII)
            }
            if (Is(name, "content-length"u8))
            {
                if (length) return Reject(into, buffer, 400, "Multiple Content-Length headers");
                if (!TryDigits(value, out into.ContentLength)) return Reject(into, buffer, 400, "Invalid Content-Length");
                length = true;
            }
            else if (Is(name, "transfer-encoding"u8) || Is(name, "expect"u8) || Is(name, "upgrade"u8) || Is(name, "origin"u8)
                     || Is(name, "access-control-request-method"u8) || Is(name, "http2-settings"u8))
                serve = false;
            else if (Is(name, "connection"u8))
            {
                if (EqualsIgnoreCase(value, "close"u8)) into.Close = true;
                else if (!EqualsIgnoreCase(value, "keep-alive"u8)) serve = false;
            }
            else if (Is(name, "host"u8))
            {
                if (host) return Reject(into, buffer, 400, "Multiple Host headers");
                if (value.Length == 0) serve = false;
                host = true;
            }
            if (!serve) continue;
            var key = NameOf(name, into.Strings, slot);
            var text = into.Strings.Ascii(slot + 1, value);
            slot += 2;
            into.Headers.Append(key, text);
        }
        if (!host && http11) return Reject(into, buffer, 400, "Missing Host header");
        if (!serve || into.ContentLength > maxBody) return Verdict.Handover;
        into.HeadLength = end + 4;
        return Verdict.Serve;
    }

    /// <summary>False when the first bytes cannot begin an HTTP/1.x request line: a method token, then a space.</summary>
    private static bool StartsLikeRequest(ReadOnlySpan<byte> buffer)
    {
        const int longestMethod = 32;
        for (var i = 0; i < buffer.Length && i <= longestMethod; i++)
        {
            var c = buffer[i];
            if (c == ' ') return i > 0;
            if (!IsTokenChar(c)) return false;
        }
        return buffer.Length <= longestMethod;
    }

    /// <summary>A request cut short by the client's FIN: refused in the dialect of its path when that path is an API's.</summary>
    public static Verdict Truncated(ReadOnlySpan<byte> buffer, Parsed into) => Reject(into, buffer, 400, "Incomplete request");

    /// <summary>Room for the request line on top of Kestrel's 64 KiB of headers before a head without end is refused.</summary>
    private const int RequestLineAllowance = 16 * 1024;

    /// <summary>
    /// Reject when the target is an API path (its dialect is known); Kestrel's own answer otherwise. With
    /// <paramref name="any"/>, a request on another path (or none) is refused too, in OpenAI's dialect.
    /// </summary>
    private static Verdict Reject(Parsed into, ReadOnlySpan<byte> buffer, int status, string message, bool any = false)
    {
        var verdict = RejectOnApiPath(into, buffer, status, message);
        if (verdict == Verdict.Reject || !any) return verdict;
        into.RejectStatus = status;
        into.RejectMessage = message;
        into.RejectPath = "/";
        return Verdict.Reject;
    }

    private static Verdict RejectOnApiPath(Parsed into, ReadOnlySpan<byte> buffer, int status, string message)
    {
        var lineEnd = buffer.IndexOf("\r\n"u8);
        var line = lineEnd < 0 ? buffer[..Math.Min(buffer.Length, 8192)] : buffer[..lineEnd];
        var first = line.IndexOf((byte)' ');
        if (first <= 0) return Verdict.Handover;
        var target = line[(first + 1)..];
        var second = target.IndexOf((byte)' ');
        if (second >= 0) target = target[..second];
        var query = target.IndexOf((byte)'?');
        if (query >= 0) target = target[..query];
        if (target.Length == 0 || target[0] != '/' || target.Length > 2048) return Verdict.Handover;
        foreach (var c in target)
            if (c <= 0x20 || c >= 0x7f) return Verdict.Handover;
        var path = Encoding.ASCII.GetString(target);
        if (NewApi.Relay.Errors.ApiSurfaces.Of(path) == NewApi.Relay.Errors.ApiSurface.Web) return Verdict.Handover;
        into.RejectStatus = status;
        into.RejectMessage = message;
        into.RejectPath = path;
        return Verdict.Reject;
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
        var raw = into.Strings.Ascii(0, target);
        if (!ReferenceEquals(raw, into.TargetSeen))
        {
            // A new target (the same one as the previous request keeps its path and query strings; the public fields
            // are set afresh either way, as middleware may have rewritten them)
            into.TargetSeen = raw;
            into.PathSeen = q < 0 ? raw : raw[..q];
            into.QuerySeen = q < 0 ? "" : raw[q..];
        }
        into.RawTarget = raw;
        into.Path = into.PathSeen;
        into.Query = into.QuerySeen;
        return true;
    }

    private static string NameOf(ReadOnlySpan<byte> name, HeadStrings strings, int slot)
    {
        // The previous head's name at this place, byte for byte (a known name stays the shared known string).
        if (strings.Reuse(slot, name) is { } same) return same;
        foreach (var known in KnownNames)
            if (known.Length == name.Length && EqualsIgnoreCase(name, known)) return strings.Remember(slot, known);
        return strings.Ascii(slot, name);
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
