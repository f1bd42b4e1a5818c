using System.Buffers.Binary;

namespace NewApi.Relay.Media;

/// <summary>
/// Duration of an uploaded audio file, for the transcription estimate of relay.md §3.3 (the same formats New API reads:
/// WAV, MP3, AAC/ADTS, FLAC, Ogg Vorbis/Opus, MP4/M4A, and WebM, which New API could not measure). The container is
/// recognised by its magic bytes, the file name's extension only breaks ties for headerless MP3/AAC. Reads headers and
/// seeks; only MP3 and ADTS are walked frame by frame. Null when the file is not audio this knows.
/// </summary>
public static class AudioDuration
{
    private static readonly int[] AacRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    public static double? Seconds(Stream s, string fileName)
    {
        Span<byte> head = stackalloc byte[12];
        if (ReadAt(s, 0, head) < 12) return null;
        try
        {
            if (head.StartsWith("RIFF"u8) && head[8..].SequenceEqual("WAVE"u8)) return Wav(s);
            if (head.StartsWith("fLaC"u8)) return Flac(s);
            if (head.StartsWith("OggS"u8)) return Ogg(s);
            if (head[4..8].SequenceEqual("ftyp"u8)) return Mp4(s);
            if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return Ebml.Seconds(s);
            var ext = Path.GetExtension(fileName).ToLowerInvariant();
            var adts = head[0] == 0xFF && (head[1] & 0xF6) == 0xF0;
            if (adts || ext == ".aac") return Adts(s);
            return Mp3(s);
        }
        catch (EndOfStreamException)
        {
            return null;   // truncated header: not measurable
        }
    }

    private static double? Wav(Stream s)
    {
        Span<byte> h = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[16];
        long pos = 12;
        var byteRate = 0L;
        while (ReadAt(s, pos, h) == 8)
        {
            var size = (long)BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            if (h.StartsWith("fmt "u8))
            {
                Exact(s, pos + 8, fmt);
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[8..]);
            }
            else if (h.StartsWith("data"u8))
            {
                if (size is 0 or 0xFFFFFFFF) size = s.Length - (pos + 8);
                return byteRate > 0 ? Math.Min(size, s.Length - (pos + 8)) / (double)byteRate : null;
            }
            pos += 8 + size + (size & 1);
        }
        return null;
    }

    private static double? Flac(Stream s)
    {
        Span<byte> info = stackalloc byte[18];
        Exact(s, 8, info);   // STREAMINFO always comes first, after "fLaC" and its 4-byte block header
        var packed = BinaryPrimitives.ReadUInt64BigEndian(info[10..]);
        var rate = (long)(packed >> 44) & 0xFFFFF;
        var samples = (long)(packed & 0xFFFFFFFFF);
        return rate > 0 && samples > 0 ? samples / (double)rate : null;
    }

    private static double? Ogg(Stream s)
    {
        Span<byte> page = stackalloc byte[27];
        Span<byte> segments = stackalloc byte[255];
        Span<byte> id = stackalloc byte[19];
        long pos = 0, rate = 0, preSkip = 0, granule = 0;
        while (ReadAt(s, pos, page) == 27 && page.StartsWith("OggS"u8))
        {
            var count = page[26];
            Exact(s, pos + 27, segments[..count]);
            var bodyStart = pos + 27 + count;
            if (rate == 0)
            {
                Exact(s, bodyStart, id);
                if (id.StartsWith("OpusHead"u8)) (rate, preSkip) = (48000, BinaryPrimitives.ReadUInt16LittleEndian(id[10..]));
                else if (id[1..7].SequenceEqual("vorbis"u8)) rate = BinaryPrimitives.ReadUInt32LittleEndian(id[12..]);
                else return null;
            }
            var g = BinaryPrimitives.ReadInt64LittleEndian(page[6..]);
            if (g > granule) granule = g;
            var bodyLength = 0;
            foreach (var b in segments[..count]) bodyLength += b;
            pos = bodyStart + bodyLength;
        }
        return rate > 0 && granule > preSkip ? (granule - preSkip) / (double)rate : null;
    }

    /// <summary>ISO base media: the movie header (moov/mvhd) holds duration and timescale.</summary>
    private static double? Mp4(Stream s)
    {
        Span<byte> h = stackalloc byte[16];
        long pos = 0, end = s.Length;
        while (pos + 8 <= end && ReadAt(s, pos, h[..8]) == 8)
        {
            var size = (long)BinaryPrimitives.ReadUInt32BigEndian(h);
            var header = 8L;
            if (size == 1)
            {
                Exact(s, pos + 8, h[8..16]);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(h[8..]);
                header = 16;
            }
            else if (size == 0) size = end - pos;
            if (size < header) return null;
            if (h[4..8].SequenceEqual("moov"u8))
            {
                (pos, end) = (pos + header, pos + size);   // descend
                continue;
            }
            if (h[4..8].SequenceEqual("mvhd"u8)) return MovieHeader(s, pos + header);
            pos += size;
        }
        return null;
    }

    private static double? MovieHeader(Stream s, long at)
    {
        Span<byte> b = stackalloc byte[32];
        Exact(s, at, b);
        var (scale, duration) = b[0] == 1
            ? (BinaryPrimitives.ReadUInt32BigEndian(b[20..]), (double)BinaryPrimitives.ReadUInt64BigEndian(b[24..]))
            : (BinaryPrimitives.ReadUInt32BigEndian(b[12..]), BinaryPrimitives.ReadUInt32BigEndian(b[16..]));
        return scale > 0 && duration > 0 ? duration / scale : null;
    }

    private static double? Adts(Stream s)
    {
        Span<byte> h = stackalloc byte[7];
        long pos = 0, samples = 0, rate = 0;
        while (ReadAt(s, pos, h) == 7 && h[0] == 0xFF && (h[1] & 0xF6) == 0xF0)
        {
            var length = (h[3] & 3) << 11 | h[4] << 3 | h[5] >> 5;
            var index = (h[2] >> 2) & 0xF;
            if (length < 7 || index >= AacRates.Length) break;
            rate = AacRates[index];
            samples += 1024L * ((h[6] & 3) + 1);
            pos += length;
        }
        return rate > 0 && samples > 0 ? samples / (double)rate : null;
    }

    private static double? Mp3(Stream s)
    {
        var counter = new Mp3FrameCounter();
        var buffer = new byte[64 * 1024];
        s.Position = 0;
        int read;
        while ((read = s.Read(buffer)) > 0) counter.Feed(buffer.AsSpan(0, read));
        return counter.Frames > 0 ? counter.Seconds : null;
    }

    internal static int ReadAt(Stream s, long position, Span<byte> into)
    {
        if (position < 0 || position >= s.Length) return 0;
        s.Position = position;
        return s.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
    }

    internal static void Exact(Stream s, long position, Span<byte> into)
    {
        if (ReadAt(s, position, into) < into.Length) throw new EndOfStreamException();
    }
}
