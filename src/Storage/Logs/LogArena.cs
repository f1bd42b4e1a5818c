using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NewApi.Storage.Logs;

/// <summary>
/// Log rows waiting for their batch's commit, kept as bytes (numbers, then UTF-8 text with a length each, in the order
/// <see cref="LogInsertStatement"/> binds them) in pooled chunks instead of as objects. A batch holds thousands of rows
/// for up to its interval; as objects they outlived every young-generation collection in between and were copied at
/// each one (several MB a pause at 10,000 requests/s), as bytes they are never copied and the rows die young.
/// </summary>
public sealed class LogArena
{
    public const int ChunkBytes = 64 * 1024;
    private const int Longs = 10;
    private const int Texts = 9;

    private readonly List<(byte[] Buffer, int Used)> _chunks = [];
    private byte[]? _current;
    private int _used;

    public int Count { get; private set; }

    public void Add(LogRow r)
    {
        var size = Longs * 8 + Texts * 4
                   + Bytes(r.Content) + Bytes(r.Username) + Bytes(r.TokenName) + Bytes(r.ModelName) + Bytes(r.Group) + Bytes(r.Ip)
                   + Bytes(r.RequestId) + Bytes(r.UpstreamRequestId) + (r.OtherUtf8?.Length ?? Bytes(r.Other));
        var span = Reserve(size);
        var w = new Writer(span);
        w.Long(r.UserId);
        w.Long(r.CreatedAt);
        w.Long((int)r.Type);
        w.Text(r.Content);
        w.Text(r.Username);
        w.Text(r.TokenName);
        w.Text(r.ModelName);
        w.Long(r.Quota);
        w.Long(r.PromptTokens);
        w.Long(r.CompletionTokens);
        w.Long(r.UseTime);
        w.Long(r.IsStream ? 1 : 0);
        w.Long(r.ChannelId);
        w.Long(r.TokenId);
        w.Text(r.Group);
        w.Text(r.Ip);
        w.Text(r.RequestId);
        w.Text(r.UpstreamRequestId);
        if (r.OtherUtf8 is { } other) w.Utf8(other);
        else w.Text(r.Other);
        Count++;
    }

    /// <summary>The rows, a run of whole rows per chunk, in the order added; read each with a <see cref="Reader"/>.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Chunks()
    {
        foreach (var (buffer, used) in _chunks) yield return buffer.AsMemory(0, used);
        if (_current is not null && _used > 0) yield return _current.AsMemory(0, _used);
    }

    /// <summary>Forgets the rows; the chunks go back to the pool.</summary>
    public void Clear()
    {
        foreach (var (buffer, _) in _chunks) ArrayPool<byte>.Shared.Return(buffer);
        _chunks.Clear();
        if (_current is not null) ArrayPool<byte>.Shared.Return(_current);
        _current = null;
        _used = 0;
        Count = 0;
    }

    private Span<byte> Reserve(int size)
    {
        if (_current is null || _current.Length - _used < size)
        {
            if (_current is not null) _chunks.Add((_current, _used));
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkBytes, size));
            _used = 0;
        }
        var span = _current.AsSpan(_used, size);
        _used += size;
        return span;
    }

    private static int Bytes(string? s) => string.IsNullOrEmpty(s) ? 0 : Encoding.UTF8.GetByteCount(s);

    /// <summary>Parameter <paramref name="i"/> of the insert (0-based, <see cref="LogInsertStatement"/>'s order) is text.</summary>
    public static bool IsText(int i) => i is 3 or 4 or 5 or 6 or 14 or 15 or 16 or 17 or 18;

    public const int Fields = Longs + Texts;

    private ref struct Writer(Span<byte> span)
    {
        private readonly Span<byte> _span = span;
        private int _at;

        public void Long(long v)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_span[_at..], v);
            _at += 8;
        }

        public void Utf8(ReadOnlySpan<byte> text)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_span[_at..], text.Length);
            text.CopyTo(_span[(_at + 4)..]);
            _at += 4 + text.Length;
        }

        public void Text(string? s)
        {
            var n = string.IsNullOrEmpty(s) ? 0 : Encoding.UTF8.GetBytes(s, _span[(_at + 4)..]);
            BinaryPrimitives.WriteInt32LittleEndian(_span[_at..], n);
            _at += 4 + n;
        }
    }

    /// <summary>Reads one row's fields in order.</summary>
    public ref struct Reader(ReadOnlySpan<byte> row)
    {
        private readonly ReadOnlySpan<byte> _row = row;

        public int Position { get; private set; }

        public long Long()
        {
            var v = BinaryPrimitives.ReadInt64LittleEndian(_row[Position..]);
            Position += 8;
            return v;
        }

        public ReadOnlySpan<byte> Text()
        {
            var n = BinaryPrimitives.ReadInt32LittleEndian(_row[Position..]);
            var text = _row.Slice(Position + 4, n);
            Position += 4 + n;
            return text;
        }
    }
}
