using System.Collections.Concurrent;

namespace NewApi.Relay.Routing;

/// <summary>
/// Which channel (and key) served a Responses API response, and for whom: GET/DELETE /v1/responses/{id} must reach
/// the upstream account that stored it, and only its owner may read it. In memory, newest 100 000 ids; an id
/// unknown here (older, or from before a restart) answers 404.
/// </summary>
public sealed class ResponseAffinity
{
    private const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public readonly record struct Entry(long UserId, long ChannelId, int KeyIndex);

    public void Remember(string responseId, long userId, long channelId, int keyIndex)
    {
        var entry = new Entry(userId, channelId, keyIndex);
        if (!_entries.TryAdd(responseId, entry))
        {
            _entries[responseId] = entry;   // ids are unique upstream: a repeat is the same response served again
            return;
        }
        _order.Enqueue(responseId);
        while (_entries.Count > Capacity && _order.TryDequeue(out var oldest)) _entries.TryRemove(oldest, out _);
    }

    public bool TryGet(string responseId, long userId, out Entry entry) =>
        _entries.TryGetValue(responseId, out entry) && entry.UserId == userId;

    public void Forget(string responseId) => _entries.TryRemove(responseId, out _);
}
