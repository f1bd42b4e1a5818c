using System.Buffers.Binary;
using System.Text;
using NewApi.Relay.Media;

namespace NewApi.Tests.Unit.Relay;

/// <summary>Audio durations for the transcription estimate and the speech meter, one small synthetic file per container.</summary>
public sealed class AudioDurationTests
{
    private static readonly byte[] Mp3Frame = Frame();

    private static byte[] Frame()
    {
        var f = new byte[384];   // MPEG-1 layer III, 128 kbit/s, 48 kHz: 384 bytes, 1152 samples = 24 ms
        f[0] = 0xFF; f[1] = 0xFB; f[2] = 0x94; f[3] = 0x64;
        return f;
    }

    private static double? Seconds(byte[] file, string name = "a.bin") => AudioDuration.Seconds(new MemoryStream(file), name);

    [Fact]
    public void Wav_ByteRateAndDataSize()
    {
        var wav = new byte[44 + 3 * 32_000];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(wav, 0);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(wav, 8);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), 32_000);
        Encoding.ASCII.GetBytes("data").CopyTo(wav, 36);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), 3 * 32_000);
        Assert.Equal(3, Seconds(wav));
    }

    [Fact]
    public void Mp3_AfterAnId3Tag_FrameByFrame()
    {
        var tag = new byte[10 + 300];
        Encoding.ASCII.GetBytes("ID3").CopyTo(tag, 0);
        tag[9] = 0x2C;   // 300 = 0b10_0101100 as syncsafe: 0x02, 0x2C
        tag[8] = 0x02;
        var file = tag.Concat(Enumerable.Repeat(Mp3Frame, 250).SelectMany(f => f)).ToArray();
        Assert.Equal(6, Seconds(file, "voice.mp3"));
    }

    [Fact]
    public void Mp3Counter_GivesTheSameResultWhateverTheChunking()
    {
        var stream = Enumerable.Repeat(Mp3Frame, 10).SelectMany(f => f).Prepend((byte)0x00).ToArray();   // one junk byte to resync over
        var whole = new Mp3FrameCounter();
        whole.Feed(stream);
        var bytewise = new Mp3FrameCounter();
        foreach (var b in stream) bytewise.Feed([b]);
        Assert.Equal((10L, 0.24), (whole.Frames, Math.Round(whole.Seconds, 6)));
        Assert.Equal((whole.Frames, whole.Seconds), (bytewise.Frames, bytewise.Seconds));
    }

    [Fact]
    public void Adts_CountsFramesOf1024Samples()
    {
        var frame = new byte[200];
        frame[0] = 0xFF; frame[1] = 0xF1;
        frame[2] = 0x50;                        // AAC LC, sampling index 4 (44.1 kHz)
        frame[3] = 0x80 | (200 >> 11 & 3);
        frame[4] = (byte)(200 >> 3 & 0xFF);
        frame[5] = (byte)((200 & 7) << 5 | 0x1F);
        frame[6] = 0xFC;
        var file = Enumerable.Repeat(frame, 441).SelectMany(f => f).ToArray();
        Assert.Equal(441 * 1024 / 44_100.0, Seconds(file, "a.aac"));
    }

    [Fact]
    public void Flac_StreamInfo()
    {
        var flac = new byte[8 + 34];
        Encoding.ASCII.GetBytes("fLaC").CopyTo(flac, 0);
        flac[7] = 34;
        var packed = (ulong)16_000 << 44 | 0UL << 41 | 15UL << 36 | 80_000UL;   // 16 kHz, mono, 16 bit, 80 000 samples
        BinaryPrimitives.WriteUInt64BigEndian(flac.AsSpan(8 + 10), packed);
        Assert.Equal(5, Seconds(flac));
    }

    [Fact]
    public void OggOpus_LastGranuleMinusPreSkip()
    {
        var head = OggPage(0, Encoding.ASCII.GetBytes("OpusHead").Concat(new byte[] { 1, 1, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0 }).ToArray());
        var last = OggPage(48_000 * 7 + 312, new byte[50]);
        Assert.Equal(7, Seconds([.. head, .. OggPage(-1, new byte[10]), .. last]));
    }

    private static byte[] OggPage(long granule, byte[] body)
    {
        var page = new byte[27 + 1 + body.Length];
        Encoding.ASCII.GetBytes("OggS").CopyTo(page, 0);
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        page[26] = 1;
        page[27] = (byte)body.Length;
        body.CopyTo(page, 28);
        return page;
    }

    [Fact]
    public void Mp4_MovieHeader_EvenAfterTheMediaData()
    {
        var ftyp = Box("ftyp", Encoding.ASCII.GetBytes("M4A \0\0\0\0"));
        var mdat = Box("mdat", new byte[5000]);
        var mvhd = new byte[100];
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(12), 1000);     // timescale
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(16), 12_500);   // duration: 12.5 s
        var moov = Box("moov", Box("mvhd", mvhd));
        Assert.Equal(12.5, Seconds([.. ftyp, .. mdat, .. moov], "a.m4a"));
    }

    private static byte[] Box(string type, byte[] body)
    {
        var box = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(box, box.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        body.CopyTo(box, 8);
        return box;
    }

    [Fact]
    public void WebM_SegmentInfoDuration()
    {
        byte[] header = [0x1A, 0x45, 0xDF, 0xA3, 0x80 | 4, 0x42, 0x86, 0x81, 0x01];
        var duration = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(duration, 4500);   // in TimecodeScale units (ms by default)
        byte[] info = [0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40, 0x44, 0x89, 0x88, .. duration];
        byte[] segment = [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,   // unknown size
            0x15, 0x49, 0xA9, 0x66, (byte)(0x80 | info.Length), .. info, 0x1F, 0x43, 0xB6, 0x75, 0x80];
        Assert.Equal(4.5, Seconds([.. header, .. segment], "a.webm"));
    }

    [Fact]
    public void UnknownOrTruncated_IsNull()
    {
        Assert.Null(Seconds(Encoding.ASCII.GetBytes("this is not audio at all")));
        Assert.Null(Seconds([0x52, 0x49]));
    }

    [Theory]
    [InlineData("pcm", 96_000, 33)]        // 2 s of 24 kHz 16-bit mono: round(ceil(2) / 60 × 1000)
    [InlineData("opus", 2_500, 3)]         // unmeasurable: one token per started kilobyte
    [InlineData("mp3", 0, 0)]
    public void SpeechMeter_Tokens(string format, int bytes, long tokens)
    {
        var meter = new SpeechMeter(format);
        meter.Feed(new byte[bytes]);
        Assert.Equal(tokens, meter.Tokens);
    }

    [Fact]
    public void SpeechMeter_Mp3_ByFrames()
    {
        var meter = new SpeechMeter("mp3");
        foreach (var chunk in Enumerable.Repeat(Mp3Frame, 2500).SelectMany(f => f).Chunk(1000)) meter.Feed(chunk);
        Assert.Equal(1000, meter.Tokens);   // exactly 60 s
    }
}
