using System.Buffers;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// Where the files of one multipart upload wait while the relay routes it: pooled memory up to 1 MiB (most images and
/// voice notes), then an anonymous temp file (deleted when closed). A retry re-sends from here and the audio
/// estimate reads from here, so a 25 MB recording costs 25 MB of disk, not of memory. Written once, then read by
/// offset without shared position, so an upstream send and a duration probe never disturb each other.
/// </summary>
public sealed class MultipartSpool : IDisposable
{
    private const int MemoryLimit = 1 << 20;

    private byte[]? _memory = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private FileStream? _file;

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (_file is null && Length + data.Length <= MemoryLimit)
        {
            if (Length + data.Length > _memory!.Length) Grow((int)(Length + data.Length));
            data.Span.CopyTo(_memory.AsSpan((int)Length));
        }
        else
        {
            if (_file is null) await MoveToDiskAsync(ct);
            await RandomAccess.WriteAsync(_file!.SafeFileHandle, data, Length, ct);
        }
        Length += data.Length;
    }

    /// <summary>Reads up to <paramref name="into"/>.Length bytes at <paramref name="offset"/>.</summary>
    public ValueTask<int> ReadAsync(long offset, Memory<byte> into, CancellationToken ct)
    {
        if (_file is not null) return RandomAccess.ReadAsync(_file.SafeFileHandle, into, offset, ct);
        var n = (int)Math.Clamp(Length - offset, 0, into.Length);
        _memory.AsSpan((int)offset, n).CopyTo(into.Span);
        return ValueTask.FromResult(n);
    }

    public int Read(long offset, Span<byte> into)
    {
        if (_file is not null) return RandomAccess.Read(_file.SafeFileHandle, into, offset);
        var n = (int)Math.Clamp(Length - offset, 0, into.Length);
        _memory.AsSpan((int)offset, n).CopyTo(into);
        return n;
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _memory!.Length * 2));
        _memory.AsSpan(0, (int)Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_memory);
        _memory = bigger;
    }

    private async Task MoveToDiskAsync(CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), "newapi-upload-" + Guid.NewGuid().ToString("N"));
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        if (Length > 0) await RandomAccess.WriteAsync(_file.SafeFileHandle, _memory.AsMemory(0, (int)Length), 0, ct);
        ArrayPool<byte>.Shared.Return(_memory!);
        _memory = null;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (Interlocked.Exchange(ref _memory, null) is { } m) ArrayPool<byte>.Shared.Return(m);
    }
}
