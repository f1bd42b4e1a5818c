using System.Buffers.Binary;
using System.Text.Json;
using NewApi.Billing.Tokens;

namespace NewApi.Relay.Tokens;

/// <summary>
/// Prompt tokens of one image part (relay.md §3.3). OpenAI text models follow OpenAI's published vision rules: tile
/// models (fit in 2048², shortest side 768, 512-px tiles × tile tokens + base: 4o/4.1/4.5 85 + 170, gpt-4o-mini 2833 +
/// 5667, gpt-5 70 + 140, o1/o3 75 + 150, computer-use 65 + 129) and patch models (gpt-4.1-mini/nano, o4-mini,
/// gpt-5-mini/nano: 32-px patches capped at 1536, times the model's multiplier); <c>detail: low</c> is the base alone.
/// As in New API, only streaming requests are sized (otherwise 3 × base); the size comes from the image's own header
/// when it is inline (a data: URL). A remote image is not downloaded just to be estimated: 3 × base. Every other model:
/// 520 per image.
/// </summary>
public static class ImageTokens
{
    public const int OtherModels = 520;

    /// <summary>At most this much of an inline image is decoded to find its size (headers sit at the start).</summary>
    private const int HeaderBytes = 64 * 1024;

    /// <summary><paramref name="part"/>: an OpenAI <c>image_url</c> content part or a Responses <c>input_image</c> item.</summary>
    public static int Estimate(string model, JsonElement part, bool stream)
    {
        if (!TokenCounter.IsOpenAiTextModel(model)) return OtherModels;
        var (url, detail) = Source(part);
        var m = model.ToLowerInvariant();
        var multiplier = PatchMultiplier(m);
        var (baseTokens, tileTokens) = TileCosts(m);
        if (detail == "low" && multiplier == 0) return baseTokens;
        if (!stream || !TrySize(url, out var width, out var height)) return 3 * baseTokens;
        return multiplier > 0 ? Patches(width, height, multiplier) : Tiles(width, height, baseTokens, tileTokens);
    }

    private static (string Url, string Detail) Source(JsonElement part)
    {
        var image = part.TryGetProperty("image_url"u8, out var i) ? i : default;
        var detail = part.TryGetProperty("detail"u8, out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
        if (image.ValueKind == JsonValueKind.String) return (image.GetString()!, detail);
        if (image.ValueKind == JsonValueKind.Object)
        {
            var url = image.TryGetProperty("url"u8, out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "";
            if (image.TryGetProperty("detail"u8, out var inner) && inner.ValueKind == JsonValueKind.String) detail = inner.GetString()!;
            return (url, detail);
        }
        return ("", detail);
    }

    private static double PatchMultiplier(string m) =>
        m.Contains("gpt-4.1-mini") ? 1.62
        : m.Contains("gpt-4.1-nano") ? 2.46
        : m.StartsWith("o4-mini", StringComparison.Ordinal) ? 1.72
        : m.StartsWith("gpt-5-mini", StringComparison.Ordinal) ? 1.62
        : m.StartsWith("gpt-5-nano", StringComparison.Ordinal) ? 2.46
        : 0;

    private static (int Base, int Tile) TileCosts(string m) =>
        m.StartsWith("gpt-4o-mini", StringComparison.Ordinal) ? (2833, 5667)
        : m.StartsWith("gpt-5", StringComparison.Ordinal) && !m.Contains("mini") && !m.Contains("nano") ? (70, 140)
        : m.StartsWith("o1", StringComparison.Ordinal) || m.StartsWith("o3", StringComparison.Ordinal) ? (75, 150)
        : m.Contains("computer-use-preview") ? (65, 129)
        : (85, 170);

    internal static int Tiles(int width, int height, int baseTokens, int tileTokens)
    {
        var fit = Math.Max(width, height) > 2048 ? Math.Max(width, height) / 2048.0 : 1.0;
        var fitW = (int)Math.Round(width / fit, MidpointRounding.AwayFromZero);
        var fitH = (int)Math.Round(height / fit, MidpointRounding.AwayFromZero);
        var shortest = Math.Min(fitW, fitH);
        if (shortest == 0) return baseTokens;
        var scale = 768.0 / shortest;
        var finalW = (int)Math.Round(fitW * scale, MidpointRounding.AwayFromZero);
        var finalH = (int)Math.Round(fitH * scale, MidpointRounding.AwayFromZero);
        return (finalW + 511) / 512 * ((finalH + 511) / 512) * tileTokens + baseTokens;
    }

    internal static int Patches(int width, int height, double multiplier)
    {
        long patches = (long)((width + 31) / 32) * ((height + 31) / 32);
        if (patches > 1536)
        {
            var r = Math.Sqrt(32.0 * 32 * 1536 / ((double)width * height));
            var w = width * r;
            var h = height * r;
            var adjust = Math.Min(Math.Floor(w / 32) / (w / 32), Math.Floor(h / 32) / (h / 32));
            if (!double.IsNaN(adjust) && adjust > 0) r *= adjust;
            patches = Math.Min((long)(Math.Ceiling(width * r / 32) * Math.Ceiling(height * r / 32)), 1536);
        }
        return (int)Math.Round(patches * multiplier, MidpointRounding.AwayFromZero);
    }

    /// <summary>Width and height of an inline (base64 data: URL) PNG, JPEG, GIF or WebP image, from its header.</summary>
    internal static bool TrySize(string url, out int width, out int height)
    {
        width = height = 0;
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return false;
        var comma = url.IndexOf(',');
        if (comma < 0 || !url.AsSpan(5, comma - 5).EndsWith(";base64", StringComparison.OrdinalIgnoreCase)) return false;
        var b64 = url.AsSpan(comma + 1);
        var take = Math.Min(b64.Length, HeaderBytes / 3 * 4) / 4 * 4;
        var bytes = new byte[take / 4 * 3];
        if (!System.Convert.TryFromBase64Chars(b64[..take], bytes, out var n)) return false;
        return TrySize(bytes.AsSpan(0, n), out width, out height);
    }

    internal static bool TrySize(ReadOnlySpan<byte> b, out int width, out int height)
    {
        width = height = 0;
        if (b.Length >= 24 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
            return Set(BinaryPrimitives.ReadInt32BigEndian(b[16..]), BinaryPrimitives.ReadInt32BigEndian(b[20..]), out width, out height);
        if (b.Length >= 10 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8)))
            return Set(BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]), out width, out height);
        if (b.Length >= 30 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return WebP(b, out width, out height);
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8) return Jpeg(b, out width, out height);
        return false;
    }

    private static bool WebP(ReadOnlySpan<byte> b, out int width, out int height)
    {
        width = height = 0;
        var chunk = b[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
            return Set(1 + (b[24] | b[25] << 8 | b[26] << 16), 1 + (b[27] | b[28] << 8 | b[29] << 16), out width, out height);
        if (chunk.SequenceEqual("VP8L"u8) && b[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            return Set((int)(bits & 0x3FFF) + 1, (int)(bits >> 14 & 0x3FFF) + 1, out width, out height);
        }
        if (chunk.SequenceEqual("VP8 "u8) && b[23] == 0x9D && b[24] == 0x01 && b[25] == 0x2A)
            return Set(BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF,
                out width, out height);
        return false;
    }

    private static bool Jpeg(ReadOnlySpan<byte> b, out int width, out int height)
    {
        width = height = 0;
        var i = 2;
        while (i + 9 < b.Length)
        {
            if (b[i] != 0xFF) return false;
            var marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 or >= 0xD0 and <= 0xD7) { i += 2; continue; }
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return Set(BinaryPrimitives.ReadUInt16BigEndian(b[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(i + 5)..]), out width, out height);
            if (length < 2) return false;
            i += 2 + length;
        }
        return false;
    }

    private static bool Set(int w, int h, out int width, out int height)
    {
        width = w;
        height = h;
        return w > 0 && h > 0 && w <= 1 << 16 && h <= 1 << 16;
    }
}
