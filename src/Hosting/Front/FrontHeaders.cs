using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace NewApi.Hosting.Front;

/// <summary>
/// The header collection of a front-loop request or response: the few headers a call carries, kept in arrival order in
/// an array that is reused from request to request. Lookups compare names by reference first (the parser hands out the
/// same name strings, and ASP.NET's <see cref="HeaderNames"/> constants are the same literals), then ordinally ignoring
/// case, instead of hashing every name; the parsed Content-Length is kept until that header changes. Behaves as
/// ASP.NET's <see cref="HeaderDictionary"/>: a missing name reads as empty, setting an empty value removes the header,
/// names are case-insensitive, and enumeration gives the headers in the order they were first set.
/// </summary>
internal sealed class FrontHeaders : IHeaderDictionary
{
    private string[] _names = new string[16];
    private StringValues[] _values = new StringValues[16];
    private int _count;
    private long? _contentLength;
    private bool _contentLengthKnown;

    public int Count => _count;
    public bool IsReadOnly => false;

    public StringValues this[string key]
    {
        get
        {
            var i = IndexOf(key);
            return i >= 0 ? _values[i] : StringValues.Empty;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            if (value.Count == 0) Remove(key);
            else Set(key, value);
        }
    }

    StringValues IDictionary<string, StringValues>.this[string key]
    {
        get => IndexOf(key) is var i and >= 0 ? _values[i] : throw new KeyNotFoundException(key);
        set => this[key] = value;
    }

    public long? ContentLength
    {
        get
        {
            if (_contentLengthKnown) return _contentLength;
            var i = IndexOf(HeaderNames.ContentLength);
            _contentLength = i >= 0 && _values[i].Count == 1 && !string.IsNullOrEmpty(_values[i][0])
                && HeaderUtilities.TryParseNonNegativeInt64(new StringSegment(_values[i][0]).Trim(), out var length) ? length : null;
            _contentLengthKnown = true;
            return _contentLength;
        }
        set
        {
            if (value is null) Remove(HeaderNames.ContentLength);
            else
            {
                ArgumentOutOfRangeException.ThrowIfNegative(value.Value);
                Set(HeaderNames.ContentLength, HeaderUtilities.FormatNonNegativeInt64(value.Value));
                _contentLength = value;
                _contentLengthKnown = true;
            }
        }
    }

    public ICollection<string> Keys => _names.AsSpan(0, _count).ToArray();
    public ICollection<StringValues> Values => _values.AsSpan(0, _count).ToArray();

    /// <summary>Appends a header the parser read: a repeated name joins the values already there.</summary>
    public void Append(string key, string value)
    {
        var i = IndexOf(key);
        if (i >= 0) _values[i] = StringValues.Concat(_values[i], value);
        else Insert(key, value);
        if (IsContentLength(key)) _contentLengthKnown = false;
    }

    public void Add(string key, StringValues value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IndexOf(key) >= 0) throw new ArgumentException($"An item with the same key has already been added. Key: {key}", nameof(key));
        Insert(key, value);
        if (IsContentLength(key)) _contentLengthKnown = false;
    }

    public void Add(KeyValuePair<string, StringValues> item) => Add(item.Key, item.Value);

    public void Clear()
    {
        Array.Clear(_names, 0, _count);
        Array.Clear(_values, 0, _count);
        _count = 0;
        _contentLength = null;
        _contentLengthKnown = true;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool Contains(KeyValuePair<string, StringValues> item) =>
        IndexOf(item.Key) is var i and >= 0 && StringValues.Equals(_values[i], item.Value);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StringValues value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    public bool Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0) return false;
        RemoveAt(i);
        if (IsContentLength(key)) { _contentLength = null; _contentLengthKnown = true; }
        return true;
    }

    public bool Remove(KeyValuePair<string, StringValues> item) => Contains(item) && Remove(item.Key);

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (arrayIndex < 0 || array.Length - arrayIndex < _count) throw new ArgumentOutOfRangeException(nameof(arrayIndex));
        for (var i = 0; i < _count; i++) array[arrayIndex + i] = new(_names[i], _values[i]);
    }

    public Enumerator GetEnumerator() => new(this);
    IEnumerator<KeyValuePair<string, StringValues>> IEnumerable<KeyValuePair<string, StringValues>>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates a snapshot of the count: a header set while enumerating is not visited (nor does it throw).</summary>
    public struct Enumerator(FrontHeaders headers) : IEnumerator<KeyValuePair<string, StringValues>>
    {
        private readonly int _count = headers._count;
        private int _index = -1;

        public readonly KeyValuePair<string, StringValues> Current => new(headers._names[_index], headers._values[_index]);
        readonly object IEnumerator.Current => Current;
        public bool MoveNext() => ++_index < _count && _index < headers._count;
        public void Reset() => _index = -1;
        public readonly void Dispose() { }
    }

    private int IndexOf(string key)
    {
        var names = _names;
        for (var i = 0; i < _count; i++)
            if (ReferenceEquals(names[i], key)) return i;
        for (var i = 0; i < _count; i++)
            if (string.Equals(names[i], key, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private void Set(string key, StringValues value)
    {
        var i = IndexOf(key);
        if (i >= 0) _values[i] = value;
        else Insert(key, value);
        if (IsContentLength(key)) _contentLengthKnown = false;
    }

    private void Insert(string key, StringValues value)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }
        _names[_count] = key;
        _values[_count] = value;
        _count++;
    }

    private void RemoveAt(int i)
    {
        _count--;
        Array.Copy(_names, i + 1, _names, i, _count - i);
        Array.Copy(_values, i + 1, _values, i, _count - i);
        _names[_count] = null!;
        _values[_count] = default;
    }

    private static bool IsContentLength(string key) => SameName(key, HeaderNames.ContentLength);

    /// <summary>Header names compare ignoring case; the loops' parsers hand out shared name strings, so by reference first.</summary>
    internal static bool SameName(string name, string known) =>
        ReferenceEquals(name, known) || name.Equals(known, StringComparison.OrdinalIgnoreCase);
}
