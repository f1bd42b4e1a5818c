using Microsoft.AspNetCore.Http;

namespace NewApi.Common;

/// <summary>new-api paging: <c>p</c> is 1-based; size from page_size, ps or size; default 10, capped at 100.</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public const int DefaultSize = 10;
    public const int MaxSize = 100;

    public int Offset => (Page - 1) * PageSize;

    public static Paging From(HttpRequest request, int defaultSize = DefaultSize, int maxSize = MaxSize)
    {
        var q = request.Query;
        var page = ParseInt(q["p"]) is { } p && p > 0 ? p : 1;
        var size = ParseInt(q["page_size"]) ?? ParseInt(q["ps"]) ?? ParseInt(q["size"]) ?? defaultSize;
        if (size <= 0) size = defaultSize;
        if (maxSize > 0 && size > maxSize) size = maxSize;
        return new Paging(page, size);
    }

    private static int? ParseInt(string? s) => int.TryParse(s, out var v) ? v : null;
}
