using System.Text.RegularExpressions;

namespace NewApi.Admin.Site;

/// <summary>
/// Admin-set HTML/Markdown (home page, footer, legal pages) is shown in the console; script must not run. The CSP
/// (script-src 'self') is the real barrier; this also strips script-capable markup so other front ends are safe.
/// A value that is a plain URL (New API allows an iframe URL) passes unchanged when it is http(s).
/// </summary>
public static partial class HtmlSanitizer
{
    public static string Clean(string html)
    {
        if (string.IsNullOrEmpty(html)) return html;
        var s = ScriptLike().Replace(html, "");
        s = DangerousOpenTag().Replace(s, "");
        s = EventAttribute().Replace(s, "");
        s = JsUrl().Replace(s, "$1=\"#\"");
        return s;
    }

    [GeneratedRegex(@"<\s*(script|style|iframe|object|embed|template|noscript)\b[^>]*>.*?<\s*/\s*\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ScriptLike();

    [GeneratedRegex(@"<\s*/?\s*(script|iframe|object|embed|base|meta|link|form|frame|frameset)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex DangerousOpenTag();

    [GeneratedRegex(@"\s+on[a-z]+\s*=\s*(""[^""]*""|'[^']*'|[^\s>]+)", RegexOptions.IgnoreCase)]
    private static partial Regex EventAttribute();

    [GeneratedRegex(@"\b(href|src|action|formaction|xlink:href)\s*=\s*(""\s*(javascript|vbscript|data):[^""]*""|'\s*(javascript|vbscript|data):[^']*'|(javascript|vbscript|data):[^\s>]*)", RegexOptions.IgnoreCase)]
    private static partial Regex JsUrl();
}
