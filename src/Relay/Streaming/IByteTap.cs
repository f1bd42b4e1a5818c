namespace NewApi.Relay.Streaming;

/// <summary>A usage tap that also sees the raw bytes of a binary answer (text-to-speech audio, measured as it passes).</summary>
public interface IByteTap
{
    void ObserveBytes(ReadOnlySpan<byte> chunk);
}
