using System.Text;

namespace NewApi.Hosting.Front;

/// <summary>
/// The strings of one connection's previous head, by position (the request target, then the i-th header's name or
/// value). A client — or an upstream — sends the same headers in the same order request after request, so most of a
/// head's strings are the previous head's: compared in place and reused instead of allocated again.
/// </summary>
internal sealed class HeadStrings
{
    public const int Slots = 48;
    private readonly string?[] _slots = new string?[Slots];

    /// <summary>An ASCII string for <paramref name="bytes"/> (which the caller has checked are ASCII).</summary>
    public string Ascii(int slot, ReadOnlySpan<byte> bytes) => Get(slot, bytes, Encoding.ASCII);

    /// <summary>A Latin-1 string for <paramref name="bytes"/>: reused only when they are ASCII (then both decodings agree).</summary>
    public string Latin1(int slot, ReadOnlySpan<byte> bytes) => Get(slot, bytes, Encoding.Latin1);

    /// <summary>The previous head's string at <paramref name="slot"/> when it is exactly these bytes; else null.</summary>
    public string? Reuse(int slot, ReadOnlySpan<byte> bytes) =>
        (uint)slot < Slots && _slots[slot] is { } cached && cached.Length == bytes.Length && System.Text.Ascii.Equals(bytes, cached) ? cached : null;

    /// <summary>Keeps <paramref name="value"/> (a shared name string) as this slot's string, and returns it.</summary>
    public string Remember(int slot, string value)
    {
        if ((uint)slot < Slots) _slots[slot] = value;
        return value;
    }

    private string Get(int slot, ReadOnlySpan<byte> bytes, Encoding encoding)
    {
        if ((uint)slot >= Slots) return encoding.GetString(bytes);
        return Reuse(slot, bytes) ?? (_slots[slot] = encoding.GetString(bytes));
    }
}
