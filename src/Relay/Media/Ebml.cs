using System.Buffers.Binary;

namespace NewApi.Relay.Media;

/// <summary>
/// WebM/Matroska duration: EBML header, then Segment → Info → TimecodeScale and Duration (a float in TimecodeScale
/// nanoseconds, default 1 ms). Other elements are skipped by their size; the walk stops at the first Cluster.
/// </summary>
internal static class Ebml
{
    private const uint Header = 0x1A45DFA3, Segment = 0x18538067, Info = 0x1549A966, Cluster = 0x1F43B675;
    private const uint TimecodeScale = 0x2AD7B1, Duration = 0x4489;

    public static double? Seconds(Stream s)
    {
        long pos = 0, end = s.Length;
        double? duration = null;
        var scale = 1_000_000.0;
        while (pos < end)
        {
            if (!TryElement(s, ref pos, out var id, out var size)) return null;
            var dataEnd = size < 0 ? end : Math.Min(end, pos + size);
            switch (id)
            {
                case Segment or Info:
                    end = dataEnd;   // descend: children follow the header
                    continue;
                case TimecodeScale:
                    scale = ReadUInt(s, pos, (int)size);
                    break;
                case Duration:
                    duration = ReadFloat(s, pos, (int)size);
                    break;
                case Cluster:
                    return Result(duration, scale);
                case Header:
                    break;
            }
            if (size < 0) return Result(duration, scale);
            pos = dataEnd;
        }
        return Result(duration, scale);
    }

    private static double? Result(double? duration, double scale) => duration is > 0 ? duration * scale / 1e9 : null;

    /// <summary>Reads an element id (marker kept) and size (marker dropped; all ones = unknown, −1).</summary>
    private static bool TryElement(Stream s, ref long pos, out uint id, out long size)
    {
        id = 0;
        size = -1;
        Span<byte> b = stackalloc byte[8];
        if (AudioDuration.ReadAt(s, pos, b[..1]) < 1) return false;
        var idLength = Width(b[0]);
        if (idLength is 0 or > 4) return false;
        AudioDuration.Exact(s, pos, b[..idLength]);
        foreach (var x in b[..idLength]) id = id << 8 | x;
        pos += idLength;
        AudioDuration.Exact(s, pos, b[..1]);
        var sizeLength = Width(b[0]);
        if (sizeLength == 0) return false;
        AudioDuration.Exact(s, pos, b[..sizeLength]);
        var value = (long)(b[0] & (0xFF >> sizeLength));
        var allOnes = value == 0xFF >> sizeLength;
        for (var i = 1; i < sizeLength; i++)
        {
            value = value << 8 | b[i];
            allOnes &= b[i] == 0xFF;
        }
        pos += sizeLength;
        size = allOnes ? -1 : value;
        return true;
    }

    private static int Width(byte first)
    {
        for (var i = 0; i < 8; i++)
            if ((first & (0x80 >> i)) != 0) return i + 1;
        return 0;
    }

    private static double ReadUInt(Stream s, long pos, int size)
    {
        Span<byte> b = stackalloc byte[8];
        if (size is < 1 or > 8) return 1_000_000;
        AudioDuration.Exact(s, pos, b[..size]);
        ulong v = 0;
        foreach (var x in b[..size]) v = v << 8 | x;
        return v;
    }

    private static double? ReadFloat(Stream s, long pos, int size)
    {
        Span<byte> b = stackalloc byte[8];
        if (size is not (4 or 8)) return null;
        AudioDuration.Exact(s, pos, b[..size]);
        return size == 4 ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b);
    }
}
