using System.Text;
using NewApi.Relay.Convert.Model;

namespace NewApi.Relay.Convert.Shared;

/// <summary>How parts that a dialect cannot carry are shown as text (relay.md §4.7: generated images as markdown data URLs).</summary>
internal static class ResponseText
{
    public static string Markdown(MediaPart media)
    {
        var url = media.Data is not null ? DataUrl.Build(media.MimeType, media.Data) : media.Url ?? "";
        return media.Kind == MediaKind.Image ? $"![image]({url})" : $"[media]({url})";
    }

    /// <summary>Text and media parts joined in order; media become markdown.</summary>
    public static string Join(IEnumerable<ConvPart> parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (p is TextPart t) sb.Append(t.Text);
            else if (p is MediaPart m) sb.Append(sb.Length > 0 ? "\n" : "").Append(Markdown(m));
        }
        return sb.ToString();
    }

    public static string Thinking(IEnumerable<ConvPart> parts) =>
        string.Concat(parts.OfType<ThinkingPart>().Select(t => t.Text));
}
