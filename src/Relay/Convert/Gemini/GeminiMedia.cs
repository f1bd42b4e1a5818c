using System.Text;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Gemini;

/// <summary>
/// Media as Gemini parts: inline base64 (<c>inlineData</c>), provider file URIs (<c>fileData</c>), and http(s) URLs as a
/// <c>fileData</c> placeholder plus a <see cref="MediaSlot"/> that rewrites it to <c>inlineData</c> once fetched.
/// </summary>
internal static class GeminiMedia
{
    public static JsonObject? Part(MediaPart media, WriteContext ctx)
    {
        if (media.TextData is not null) return Inline("text/plain", System.Convert.ToBase64String(Encoding.UTF8.GetBytes(media.TextData)));
        if (media.Data is not null) return Inline(media.MimeType ?? DefaultMime(media.Kind), media.Data);
        if (media.Url is null)
        {
            ctx.Note("dropped media given by file id");
            return null;
        }
        var part = new JsonObject
        {
            ["fileData"] = new JsonObject { ["mimeType"] = media.MimeType ?? DefaultMime(media.Kind), ["fileUri"] = media.Url },
        };
        if (DataUrl.IsHttp(media.Url))
            ctx.Slots.Add(new MediaSlot(media.Url, KindName(media.Kind), Accepts, (mime, data) =>
            {
                part.Clear();
                part["inlineData"] = new JsonObject { ["mimeType"] = mime, ["data"] = data };
            }));
        return part;
    }

    private static JsonObject Inline(string mime, string data) =>
        new() { ["inlineData"] = new JsonObject { ["mimeType"] = mime, ["data"] = data } };

    /// <summary>MIME families Gemini takes inline (relay.md §4.6 whitelist).</summary>
    private static bool Accepts(string mime) =>
        mime.StartsWith("image/", StringComparison.Ordinal) || mime.StartsWith("audio/", StringComparison.Ordinal)
        || mime.StartsWith("video/", StringComparison.Ordinal) || mime.StartsWith("text/", StringComparison.Ordinal)
        || mime is "application/pdf" or "application/json" or "application/x-javascript" or "application/x-python";

    private static string DefaultMime(MediaKind kind) => kind switch
    {
        MediaKind.Image => "image/png",
        MediaKind.Audio => "audio/wav",
        _ => "application/pdf",
    };

    public static string KindName(MediaKind kind) => kind switch
    {
        MediaKind.Image => "image",
        MediaKind.Audio => "audio",
        _ => "document",
    };
}
