using Microsoft.Win32.SafeHandles;

namespace NewApi.Common;

/// <summary>
/// A small kernel status file (/proc/stat, /proc/pressure/cpu) opened once and read again from its start on every call,
/// into one buffer: the kernel regenerates such a file on each read at offset 0, so nothing is reopened or allocated.
/// </summary>
public sealed class ProcFile : IDisposable
{
    private readonly SafeFileHandle? _file;
    private readonly byte[] _buffer;

    public ProcFile(string path, int size)
    {
        _buffer = new byte[size];
        try
        {
            _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public bool Available => _file is { IsClosed: false };

    /// <summary>The file's first bytes (up to the buffer's size); false when it cannot be read, and from then on.</summary>
    public bool TryRead(out ReadOnlySpan<byte> text)
    {
        text = default;
        if (!Available) return false;
        try
        {
            text = _buffer.AsSpan(0, RandomAccess.Read(_file!, _buffer, 0));
            return true;
        }
        catch (IOException)
        {
            Dispose();
            return false;
        }
    }

    public void Dispose() => _file?.Dispose();
}
