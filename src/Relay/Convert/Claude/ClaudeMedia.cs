using System.Text;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Claude;

/// <summary>Images and documents as Claude blocks; remote URLs become <see cref="MediaSlot"/>s unless the channel lets Claude fetch them.</summary>
internal static class ClaudeMedia
{
    private static readonly HashSet<string> ImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    public static JsonObject? Block(MediaPart media, WriteContext ctx)
    {
        if (media.Kind == MediaKind.Audio) throw new ConversionException("audio input is not supported by Claude models");
        var type = media.Kind == MediaKind.Image ? "image" : "document";
        var block = new JsonObject { ["type"] = type };
        if (Source(media, type, ctx) is not { } source) return null;
        block["source"] = source;
        if (media.Kind == MediaKind.Document && media.FileName is not null) block["title"] = media.FileName;
        if (media.CacheControl is not null) block["cache_control"] = J.Clone(media.CacheControl);
        return block;
    }

    private static JsonObject? Source(MediaPart media, string type, WriteContext ctx)
    {
        if (media.TextData is not null)
            return new JsonObject { ["type"] = "text", ["media_type"] = "text/plain", ["data"] = media.TextData };
        if (media.Data is not null)
        {
            var mime = media.MimeType ?? (type == "image" ? "image/png" : "application/pdf");
            return Inline(new JsonObject(), mime, media.Data);
        }
        if (media.FileId is not null) return new JsonObject { ["type"] = "file", ["file_id"] = media.FileId };
        if (!DataUrl.IsHttp(media.Url))
        {
            ctx.Note("dropped " + type + " with unsupported reference");
            return null;
        }
        var source = new JsonObject { ["type"] = "url", ["url"] = media.Url };
        if (!ctx.Options.ClaudeImageUrls)
            ctx.Slots.Add(new MediaSlot(media.Url!, type, mime => Accepts(type, mime), (mime, data) => Inline(source, mime, data)));
        return source;
    }

    private static bool Accepts(string type, string mime) =>
        type == "image" ? ImageTypes.Contains(mime) : mime is "application/pdf" or "text/plain";

    /// <summary>Rewrites <paramref name="source"/> in place as a base64 (or, for plain text, text) source.</summary>
    private static JsonObject Inline(JsonObject source, string mime, string base64)
    {
        source.Clear();
        if (mime == "text/plain")
        {
            source["type"] = "text";
            source["media_type"] = mime;
            source["data"] = Encoding.UTF8.GetString(System.Convert.FromBase64String(base64));
            return source;
        }
        source["type"] = "base64";
        source["media_type"] = mime;
        source["data"] = base64;
        return source;
    }
}
