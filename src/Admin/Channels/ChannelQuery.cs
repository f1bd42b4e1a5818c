using System.Globalization;
using Microsoft.AspNetCore.Http;
using NewApi.Common;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

internal enum ChannelSortKey { Priority, Id, Name, Balance, ResponseTime, TestTime }

/// <summary>
/// The list/search filters of GET /api/channel/ and /search, applied in memory (an installation has hundreds of
/// channels, not millions; the routing snapshot already holds them all).
/// </summary>
internal sealed record ChannelQuery(string Group, int? Status, int? Type, ChannelSortKey Sort, bool Descending, bool TagMode)
{
    /// <summary>Status filter: 1 = enabled only, 0 = every non-enabled status, null = all.</summary>
    public static ChannelQuery From(HttpRequest request)
    {
        var q = request.Query;
        var group = q["group"].ToString().Trim();
        if (group is "all" or "null") group = "";
        int? status = q["status"].ToString().ToLowerInvariant() switch
        {
            "enabled" or "1" => 1,
            "disabled" or "0" => 0,
            _ => null,
        };
        int? type = int.TryParse(q["type"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t >= 0 ? t : null;
        var idSort = ParseBool(q["id_sort"]);
        var (sort, known) = q["sort_by"].ToString().Trim().ToLowerInvariant() switch
        {
            "id" => (ChannelSortKey.Id, true),
            "name" => (ChannelSortKey.Name, true),
            "priority" => (ChannelSortKey.Priority, true),
            "balance" => (ChannelSortKey.Balance, true),
            "response_time" => (ChannelSortKey.ResponseTime, true),
            "test_time" => (ChannelSortKey.TestTime, true),
            _ => (idSort ? ChannelSortKey.Id : ChannelSortKey.Priority, false),
        };
        // new-api: an explicit sort_by is descending unless sort_order=asc; the defaults (priority, or id with id_sort) are descending.
        var descending = !known || !string.Equals(q["sort_order"].ToString().Trim(), "asc", StringComparison.OrdinalIgnoreCase);
        return new ChannelQuery(group, status, type, sort, descending, ParseBool(q["tag_mode"]));
    }

    /// <summary>Go's strconv.ParseBool, as New API reads id_sort, tag_mode, stream, reset_balance; unparsable gives the fallback.</summary>
    public static bool ParseBool(string? s, bool fallback = false) => s switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => fallback,
    };

    public bool MatchesGroup(ChannelRow c) => Group.Length == 0 || c.GroupList.Contains(Group, StringComparer.Ordinal);

    public bool MatchesStatus(ChannelRow c) => Status switch
    {
        1 => c.Status == ChannelStatus.Enabled,
        0 => c.Status != ChannelStatus.Enabled,
        _ => true,
    };

    public bool MatchesType(ChannelRow c) => Type is not { } t || (int)c.Type == t;

    public IEnumerable<ChannelRow> Order(IEnumerable<ChannelRow> rows)
    {
        IOrderedEnumerable<ChannelRow> ordered = (Sort, Descending) switch
        {
            (ChannelSortKey.Id, true) => rows.OrderByDescending(c => c.Id),
            (ChannelSortKey.Id, false) => rows.OrderBy(c => c.Id),
            (ChannelSortKey.Name, true) => rows.OrderByDescending(c => c.Name, StringComparer.Ordinal),
            (ChannelSortKey.Name, false) => rows.OrderBy(c => c.Name, StringComparer.Ordinal),
            (ChannelSortKey.Balance, true) => rows.OrderByDescending(c => c.Balance),
            (ChannelSortKey.Balance, false) => rows.OrderBy(c => c.Balance),
            (ChannelSortKey.ResponseTime, true) => rows.OrderByDescending(c => c.ResponseTime),
            (ChannelSortKey.ResponseTime, false) => rows.OrderBy(c => c.ResponseTime),
            (ChannelSortKey.TestTime, true) => rows.OrderByDescending(c => c.TestTime),
            (ChannelSortKey.TestTime, false) => rows.OrderBy(c => c.TestTime),
            (_, false) => rows.OrderBy(c => c.Priority),
            _ => rows.OrderByDescending(c => c.Priority),
        };
        return ordered.ThenByDescending(c => c.Id);
    }

    public static Dictionary<int, long> TypeCounts(IEnumerable<ChannelRow> rows) =>
        rows.GroupBy(c => (int)c.Type).ToDictionary(g => g.Key, g => (long)g.Count());

    /// <summary>Distinct non-empty tags, in a stable order (tag mode pages over these).</summary>
    public static List<string> Tags(IEnumerable<ChannelRow> rows) =>
        [.. rows.Select(c => c.Tag).OfType<string>().Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
