using System.Text;

namespace NewApi.Relay.Convert.Shared;

/// <summary><c>data:[mime][;base64],payload</c> URLs, as OpenAI clients send images and files.</summary>
internal static class DataUrl
{
    public static bool IsDataUrl(string? url) => url is not null && url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    public static bool IsHttp(string? url) =>
        url is not null && (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Splits a data URL into MIME type and base64 payload; a percent-encoded payload is re-encoded as base64.</summary>
    public static bool TryParse(string url, out string mimeType, out string base64)
    {
        mimeType = "";
        base64 = "";
        if (!IsDataUrl(url)) return false;
        var comma = url.IndexOf(',');
        if (comma < 0) return false;
        var meta = url.AsSpan(5, comma - 5);
        var payload = url[(comma + 1)..];
        var isBase64 = meta.EndsWith(";base64", StringComparison.OrdinalIgnoreCase);
        if (isBase64) meta = meta[..^7];
        var semi = meta.IndexOf(';');
        mimeType = (semi >= 0 ? meta[..semi] : meta).ToString().Trim();
        if (mimeType.Length == 0) mimeType = "text/plain";
        base64 = isBase64 ? payload : System.Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload)));
        return true;
    }

    public static string Build(string? mimeType, string base64) =>
        "data:" + (string.IsNullOrEmpty(mimeType) ? "application/octet-stream" : mimeType) + ";base64," + base64;

    /// <summary>MIME type from the first bytes of a file, for fetched media whose server sent no usable Content-Type.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 4 && b[0] == 0x89 && b[1..4].SequenceEqual("PNG"u8)) return "image/png";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
        if (b.StartsWith("GIF8"u8)) return "image/gif";
        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WAVE"u8)) return "audio/wav";
        if (b.StartsWith("%PDF"u8)) return "application/pdf";
        if (b.StartsWith("ID3"u8) || (b.Length >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0)) return "audio/mpeg";
        return null;
    }

    /// <summary>OpenAI <c>input_audio.format</c> from a MIME type, and back.</summary>
    public static string AudioFormat(string? mime) => mime?.ToLowerInvariant() switch
    {
        "audio/mpeg" or "audio/mp3" => "mp3",
        "audio/wav" or "audio/x-wav" or "audio/wave" => "wav",
        { } m when m.StartsWith("audio/", StringComparison.Ordinal) => m[6..],
        _ => "wav",
    };

    public static string AudioMime(string? format) => format?.ToLowerInvariant() switch
    {
        "mp3" => "audio/mpeg",
        null or "" => "audio/wav",
        { } f => "audio/" + f,
    };
}
