using System.Buffers;
using System.IO.Pipelines;

namespace NewApi.Hosting.Front;

/// <summary>
/// A connection's input for Kestrel after a hand-over: the bytes the front loop already read come first, then the
/// socket. While the reader has not consumed the whole prefix but wants more, the socket's next bytes are appended to
/// it, so a head split across the two still arrives as one contiguous sequence.
/// </summary>
internal sealed class PrefixedPipeReader(byte[] prefix, PipeReader inner) : PipeReader
{
    private byte[]? _prefix = prefix;
    private int _start, _end = prefix.Length;
    private bool _wantsMore;
    private ReadOnlySequence<byte> _last;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_prefix is null) return await inner.ReadAsync(cancellationToken);
        var completed = false;
        if (_wantsMore)
        {
            var result = await inner.ReadAsync(cancellationToken);
            if (result.IsCanceled) return new ReadResult(Current(), true, false);
            var more = result.Buffer;
            if (more.Length > 0)
            {
                var length = _end - _start;
                var merged = new byte[length + (int)more.Length];
                Buffer.BlockCopy(_prefix, _start, merged, 0, length);
                more.CopyTo(merged.AsSpan(length));
                _prefix = merged;
                _start = 0;
                _end = merged.Length;
            }
            inner.AdvanceTo(more.End);
            completed = result.IsCompleted;
            _wantsMore = false;
        }
        return new ReadResult(Current(), false, completed);
    }

    private ReadOnlySequence<byte> Current() => _last = new ReadOnlySequence<byte>(_prefix!, _start, _end - _start);

    public override bool TryRead(out ReadResult result)
    {
        if (_prefix is null) return inner.TryRead(out result);
        if (_wantsMore)
        {
            result = default;
            return false;
        }
        result = new ReadResult(Current(), false, false);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_prefix is null)
        {
            inner.AdvanceTo(consumed, examined);
            return;
        }
        var used = (int)_last.Slice(0, consumed).Length;
        var seen = (int)_last.Slice(0, examined).Length;
        var available = _end - _start;
        _start += used;
        if (_start == _end)
        {
            _prefix = null;
            return;
        }
        _wantsMore = seen >= available;
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();
    public override void Complete(Exception? exception = null) => inner.Complete(exception);
    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
