namespace NewApi.Common;

public static class Secrets
{
    /// <summary>new-api's key mask: first 4 + ********** + last 4; short keys partially masked.</summary>
    public static string MaskKey(string key)
    {
        if (string.IsNullOrEmpty(key)) return "";
        if (key.Length <= 4) return new string('*', key.Length);
        if (key.Length <= 8) return string.Concat(key.AsSpan(0, 2), "****", key.AsSpan(key.Length - 2));
        return string.Concat(key.AsSpan(0, 4), "**********", key.AsSpan(key.Length - 4));
    }

    /// <summary>Short form for logs: <c>sk-ab…yz</c>.</summary>
    public static string ForLog(string? key) =>
        string.IsNullOrEmpty(key) ? "" : key.Length <= 6 ? "…" : string.Concat(key.AsSpan(0, 4), "…", key.AsSpan(key.Length - 2));
}
