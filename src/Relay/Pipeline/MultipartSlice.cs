using System.Buffers;
using System.Net;

namespace NewApi.Relay.Pipeline;

/// <summary>One spooled file as upstream request content: streamed from the spool in 64 KB pieces, length known up front.</summary>
internal sealed class MultipartSliceContent(MultipartSpool spool, long offset, long size) : HttpContent
{
    private const int Chunk = 64 * 1024;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            for (long done = 0; done < size;)
            {
                var want = (int)Math.Min(Chunk, size - done);
                var read = await spool.ReadAsync(offset + done, buffer.AsMemory(0, want), cancellationToken);
                if (read == 0) throw new IOException("upload spool ended early");
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                done += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = size;
        return true;
    }
}

/// <summary>A read-only, seekable view of one spooled file (for the audio duration probe).</summary>
internal sealed class MultipartSliceStream(MultipartSpool spool, long offset, long length) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Clamp(length - Position, 0, buffer.Length);
        if (n == 0) return 0;
        var read = spool.Read(offset + Position, buffer[..n]);
        Position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
