namespace NewApi.Relay.Media;

/// <summary>
/// Duration of an MPEG audio stream (MP3 and its layer I/II cousins) fed in chunks of any size: skips an ID3v2 tag,
/// then walks frame headers (sync, version, layer, bitrate, sample rate, padding) and adds each frame's samples /
/// rate; bytes that are not a valid header are skipped one at a time (resync). Nothing is buffered but the few bytes of
/// a header split across two chunks, so it can measure a speech answer while it streams to the client.
/// </summary>
public sealed class Mp3FrameCounter
{
    private static readonly int[] BitratesV1L1 = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448];
    private static readonly int[] BitratesV1L2 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384];
    private static readonly int[] BitratesV1L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    private static readonly int[] BitratesV2L1 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
    private static readonly int[] BitratesV2L23 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

    private readonly byte[] _header = new byte[10];
    private int _have;
    private long _skip;
    private bool _started;

    private double _seconds;
    private long _samples;
    private int _rate;

    /// <summary>Samples are summed as integers per sample rate, so 2500 frames of 1152 samples at 48 kHz are exactly 60 s.</summary>
    public double Seconds => _seconds + (_rate > 0 ? _samples / (double)_rate : 0);
    public long Frames { get; private set; }

    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_skip > 0)
            {
                var n = (int)Math.Min(_skip, data.Length);
                data = data[n..];
                _skip -= n;
                continue;
            }
            var need = _started ? 4 : 10;
            var take = Math.Min(need - _have, data.Length);
            data[..take].CopyTo(_header.AsSpan(_have));
            _have += take;
            data = data[take..];
            if (_have == need) Step();
        }
    }

    private void Step()
    {
        if (!_started)
        {
            _started = true;
            if (_header[0] == 'I' && _header[1] == 'D' && _header[2] == '3')
            {
                var size = (_header[6] & 0x7F) << 21 | (_header[7] & 0x7F) << 14 | (_header[8] & 0x7F) << 7 | (_header[9] & 0x7F);
                _skip = size + ((_header[5] & 0x10) != 0 ? 10 : 0);
                _have = 0;
                return;
            }
            // Not a tag: the first 4 of these 10 bytes are the first header candidate; replay the other 6 after it.
            Span<byte> rest = stackalloc byte[6];
            _header.AsSpan(4, 6).CopyTo(rest);
            _have = 4;
            Step();
            Feed(rest);
            return;
        }
        var length = FrameLength(_header, out var samples, out var rate);
        if (length <= 4)
        {
            _header.AsSpan(1, 3).CopyTo(_header);   // resync one byte further
            _have = 3;
            return;
        }
        Frames++;
        if (rate != _rate)
        {
            _seconds = Seconds;
            (_samples, _rate) = (0, rate);
        }
        _samples += samples;
        _skip = length - 4;
        _have = 0;
    }

    /// <summary>Frame length in bytes (0 when the 4 bytes are not a valid MPEG audio header).</summary>
    public static int FrameLength(ReadOnlySpan<byte> h, out int samples, out int rate)
    {
        samples = 0;
        rate = 0;
        if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0) return 0;
        var version = (h[1] >> 3) & 3;   // 0 = 2.5, 2 = 2, 3 = 1
        var layer = (h[1] >> 1) & 3;     // 1 = III, 2 = II, 3 = I
        var bitrateIndex = h[2] >> 4;
        var rateIndex = (h[2] >> 2) & 3;
        if (version == 1 || layer == 0 || bitrateIndex is 0 or 15 || rateIndex == 3) return 0;
        var v1 = version == 3;
        var kbps = (v1, layer) switch
        {
            (true, 3) => BitratesV1L1[bitrateIndex],
            (true, 2) => BitratesV1L2[bitrateIndex],
            (true, _) => BitratesV1L3[bitrateIndex],
            (false, 3) => BitratesV2L1[bitrateIndex],
            _ => BitratesV2L23[bitrateIndex],
        };
        rate = rateIndex switch { 0 => 44100, 1 => 48000, _ => 32000 } >> (version == 3 ? 0 : version == 2 ? 1 : 2);
        var padding = (h[2] >> 1) & 1;
        if (layer == 3)
        {
            samples = 384;
            return (12 * kbps * 1000 / rate + padding) * 4;
        }
        samples = layer == 1 && !v1 ? 576 : 1152;
        return (samples / 8) * kbps * 1000 / rate + padding;
    }
}
