using System.Buffers;

namespace NewApi.Relay.Streaming;

/// <summary>
/// Splits an SSE byte stream into lines without allocating: <c>\n</c> or <c>\r\n</c> endings, the line returned without
/// them. The relay treats each <c>data:</c> line as one event, as New API does; blank lines, comments and
/// <c>event:</c> lines carry nothing for OpenAI-format streams.
/// </summary>
public static class SseLineReader
{
    public static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out line, (byte)'\n'))
        {
            line = default;
            return false;
        }
        if (!line.IsEmpty && EndsWithCr(line)) line = line.Slice(0, line.Length - 1);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    /// <summary>The payload of a <c>data:</c> line (one optional space after the colon skipped), or false for any other line.</summary>
    public static bool TryGetData(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> payload)
    {
        if (!line.StartsWith("data:"u8))
        {
            payload = default;
            return false;
        }
        payload = line[5..];
        if (!payload.IsEmpty && payload[0] == (byte)' ') payload = payload[1..];
        return true;
    }

    private static bool EndsWithCr(ReadOnlySequence<byte> line)
    {
        var last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
