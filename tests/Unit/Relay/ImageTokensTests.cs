using System.Buffers.Binary;
using System.Text.Json;
using NewApi.Relay.Tokens;

namespace NewApi.Tests.Unit.Relay;

/// <summary>Prompt tokens of image parts: OpenAI's published vision examples, New API's defaults, and image headers.</summary>
public sealed class ImageTokensTests
{
    private static byte[] Png(int w, int h)
    {
        var b = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(b, 0);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), 13);
        "IHDR"u8.CopyTo(b.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), w);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), h);
        return b;
    }

    private static byte[] Jpeg(int w, int h)
    {
        var app0 = new byte[] { 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0 };
        var sof = new byte[] { 0xFF, 0xC2, 0x00, 0x11, 0x08, (byte)(h >> 8), (byte)h, (byte)(w >> 8), (byte)w, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1 };
        return [0xFF, 0xD8, .. app0, .. sof, 0xFF, 0xD9];
    }

    private static byte[] WebPx(int w, int h)
    {
        var b = new byte[30];
        "RIFF"u8.CopyTo(b);
        "WEBP"u8.CopyTo(b.AsSpan(8));
        "VP8X"u8.CopyTo(b.AsSpan(12));
        b[24] = (byte)(w - 1); b[25] = (byte)((w - 1) >> 8); b[26] = (byte)((w - 1) >> 16);
        b[27] = (byte)(h - 1); b[28] = (byte)((h - 1) >> 8); b[29] = (byte)((h - 1) >> 16);
        return b;
    }

    private static string DataUrl(byte[] image, string mime = "image/png") => $"data:{mime};base64,{System.Convert.ToBase64String(image)}";

    private static JsonElement Part(string url, string? detail = null) => JsonDocument.Parse(JsonSerializer.Serialize(
        new Dictionary<string, object> { ["type"] = "image_url", ["image_url"] = detail is null ? new Dictionary<string, string> { ["url"] = url }
            : new Dictionary<string, string> { ["url"] = url, ["detail"] = detail } })).RootElement;

    [Theory]
    [InlineData(1024, 1024, 765)]    // OpenAI's example: 4 tiles
    [InlineData(2048, 4096, 1105)]   // scaled into 2048², then the short side to 768: 6 tiles
    [InlineData(512, 512, 765)]      // the short side is scaled up to 768 too
    [InlineData(100, 4000, 20825)]   // 51 × 2048, then 768 × 30 840: 2 × 61 tiles
    public void Tiles_FollowOpenAisRule(int w, int h, int expected)
    {
        Assert.Equal(expected, ImageTokens.Tiles(w, h, 85, 170));
    }

    [Fact]
    public void Patches_FollowOpenAisRule()
    {
        Assert.Equal(1659, ImageTokens.Patches(1024, 1024, 1.62));          // 1 024 patches × 1.62
        Assert.Equal((int)Math.Round(1452 * 1.62), ImageTokens.Patches(1800, 2400, 1.62));   // OpenAI's example: scaled to 1 452 patches
        Assert.Equal((int)Math.Round(39 * 39 * 2.46), ImageTokens.Patches(10_000, 10_000, 2.46));   // scaled to whole patches: 39 × 39 (under the 1 536 cap)
    }

    [Fact]
    public void ImageHeaders_GiveTheSize()
    {
        Assert.True(ImageTokens.TrySize(DataUrl(Png(1024, 768)), out var w, out var h));
        Assert.Equal((1024, 768), (w, h));
        Assert.True(ImageTokens.TrySize(DataUrl(Jpeg(640, 480), "image/jpeg"), out w, out h));
        Assert.Equal((640, 480), (w, h));
        Assert.True(ImageTokens.TrySize(DataUrl("GIF89a"u8.ToArray().Concat(new byte[] { 0x20, 0x03, 0x58, 0x02, 0, 0 }).ToArray(), "image/gif"), out w, out h));
        Assert.Equal((800, 600), (w, h));
        Assert.True(ImageTokens.TrySize(DataUrl(WebPx(3000, 2000), "image/webp"), out w, out h));
        Assert.Equal((3000, 2000), (w, h));
        Assert.False(ImageTokens.TrySize("https://example.com/cat.png", out _, out _));
        Assert.False(ImageTokens.TrySize("data:image/png;base64,!!!notbase64", out _, out _));
        Assert.False(ImageTokens.TrySize(DataUrl("hello world, not an image"u8.ToArray()), out _, out _));
    }

    [Fact]
    public void Estimate_AppliesNewApisDefaults()
    {
        var inline = DataUrl(Png(1024, 1024));
        Assert.Equal(765, ImageTokens.Estimate("gpt-4o", Part(inline), stream: true));          // sized
        Assert.Equal(255, ImageTokens.Estimate("gpt-4o", Part(inline), stream: false));         // non-stream: 3 × base
        Assert.Equal(85, ImageTokens.Estimate("gpt-4o", Part(inline, "low"), stream: true));    // detail low: base
        Assert.Equal(255, ImageTokens.Estimate("gpt-4o", Part("https://example.com/a.png"), stream: true));   // not downloaded
        Assert.Equal(4 * 5667 + 2833, ImageTokens.Estimate("gpt-4o-mini", Part(inline), stream: true));
        Assert.Equal(4 * 140 + 70, ImageTokens.Estimate("gpt-5", Part(inline), stream: true));
        Assert.Equal(1659, ImageTokens.Estimate("gpt-4.1-mini", Part(inline, "low"), stream: true));   // patch models ignore low
        Assert.Equal(520, ImageTokens.Estimate("claude-sonnet-4", Part(inline), stream: true));
        Assert.Equal(520, ImageTokens.Estimate("deepseek-chat", Part(inline), stream: false));
    }
}
