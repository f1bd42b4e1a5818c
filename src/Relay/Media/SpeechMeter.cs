using System.Buffers.Binary;
using NewApi.Billing.Prices;

namespace NewApi.Relay.Media;

/// <summary>
/// Measures text-to-speech audio while it streams to the client (relay.md §3.7): MP3 (the default format) by its frame
/// headers, WAV by its header's byte rate, PCM as OpenAI's 24 kHz 16-bit mono (48 000 bytes a second). Formats whose
/// length cannot be read on the fly (opus, aac, flac) fall back to New API's rule: one token per started kilobyte.
/// </summary>
public sealed class SpeechMeter(string format)
{
    private const double PcmBytesPerSecond = 24_000 * 2;
    private const int WavHeader = 44;

    private readonly Mp3FrameCounter? _mp3 = format is "" or "mp3" ? new Mp3FrameCounter() : null;
    private readonly byte[] _head = new byte[WavHeader];
    private long _bytes;

    public long Bytes => _bytes;

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_bytes < WavHeader) chunk[..(int)Math.Min(chunk.Length, WavHeader - _bytes)].CopyTo(_head.AsSpan((int)_bytes));
        _bytes += chunk.Length;
        _mp3?.Feed(chunk);
    }

    /// <summary>The audio's completion tokens: 1000 per started minute when the duration is known, else one per started KB.</summary>
    public long Tokens
    {
        get
        {
            if (_bytes == 0) return 0;
            var seconds = format switch
            {
                "pcm" => _bytes / PcmBytesPerSecond,
                "wav" => WavSeconds(),
                "" or "mp3" => _mp3!.Frames > 0 ? _mp3.Seconds : 0,
                _ => 0,
            };
            return seconds > 0 ? AudioQuota.DurationTokens(seconds) : (long)Math.Ceiling(_bytes / 1000.0);
        }
    }

    private double WavSeconds()
    {
        if (_bytes < WavHeader || !_head.AsSpan(0, 4).SequenceEqual("RIFF"u8)) return 0;
        var byteRate = BinaryPrimitives.ReadUInt32LittleEndian(_head.AsSpan(28));
        return byteRate > 0 ? (_bytes - WavHeader) / (double)byteRate : 0;
    }
}
