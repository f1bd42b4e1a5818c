using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert;

/// <summary>
/// A remote http(s) medium the upstream dialect cannot take by URL (Claude images by default, Gemini, OpenAI files/audio).
/// The converted body holds a placeholder at this spot; the pipeline downloads <see cref="Url"/> through its guarded
/// (SSRF-checked) client and calls <see cref="Fill(string, string)"/>, which rewrites the placeholder in place as inline
/// base64. The converters never fetch anything themselves.
/// </summary>
public sealed class MediaSlot
{
    private readonly Func<string, bool> _accepts;
    private readonly Action<string, string> _fill;

    internal MediaSlot(string url, string kind, Func<string, bool> accepts, Action<string, string> fill)
    {
        Url = url;
        Kind = kind;
        _accepts = accepts;
        _fill = fill;
    }

    /// <summary>The URL the client gave.</summary>
    public string Url { get; }

    /// <summary><c>image</c>, <c>audio</c> or <c>document</c>.</summary>
    public string Kind { get; }

    public bool IsFilled { get; private set; }

    /// <summary>Inlines the downloaded medium. Throws <see cref="ConversionException"/> when the upstream cannot take this MIME type.</summary>
    public void Fill(string mimeType, string base64Data)
    {
        var mime = NormaliseMime(mimeType);
        if (!_accepts(mime)) throw new ConversionException($"unsupported {Kind} type '{mime}' for this channel: {Url}");
        _fill(mime, base64Data);
        IsFilled = true;
    }

    /// <summary>Inlines downloaded bytes; the MIME type comes from <paramref name="contentType"/> or, failing that, the bytes themselves.</summary>
    public void Fill(ReadOnlySpan<byte> content, string? contentType)
    {
        var mime = NormaliseMime(contentType);
        if (mime.Length == 0 || mime == "application/octet-stream" || mime == "binary/octet-stream")
            mime = DataUrl.Sniff(content) ?? mime;
        Fill(mime, System.Convert.ToBase64String(content));
    }

    private static string NormaliseMime(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return "";
        var semi = contentType.IndexOf(';');
        return (semi >= 0 ? contentType[..semi] : contentType).Trim().ToLowerInvariant();
    }
}
