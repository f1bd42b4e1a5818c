using System.Security.Cryptography;
using System.Text;

namespace NewApi.Relay.Convert.Shared;

/// <summary>Identifiers the target dialect needs but the source did not supply (response ids, tool call ids, item ids).</summary>
internal static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string New(string prefix, int length = 24) =>
        prefix + RandomNumberGenerator.GetString(Alphabet, length);

    /// <summary>
    /// Claude accepts tool ids matching <c>^[a-zA-Z0-9_-]+$</c>; some OpenAI-compatible vendors emit ids such as
    /// <c>functions.get_weather:0</c>. The mapping is deterministic so a tool_use and its tool_result still pair up.
    /// </summary>
    public static string ClaudeSafe(string id)
    {
        if (id.Length == 0) return "toolu_empty";
        var ok = true;
        foreach (var c in id) if (!IsSafe(c)) { ok = false; break; }
        if (ok) return id;
        var sb = new StringBuilder(id.Length);
        foreach (var c in id) sb.Append(IsSafe(c) ? c : '_');
        return sb.ToString();
    }

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
