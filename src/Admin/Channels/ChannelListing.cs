using System.Globalization;
using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

/// <summary>GET /api/channel/ and /api/channel/search: filtering, tag mode, sorting and paging over every channel.</summary>
internal sealed class ChannelListing(ChannelRepository repo, SecretBox box)
{
    public async Task<ChannelListPage> ListAsync(HttpRequest request, CancellationToken ct)
    {
        var query = ChannelQuery.From(request);
        var paging = Paging.From(request);
        var all = await repo.ListAllAsync(ct);
        var scoped = all.Where(c => query.MatchesGroup(c) && query.MatchesStatus(c)).ToList();
        var filtered = scoped.Where(query.MatchesType).ToList();
        List<ChannelRow> items;
        long total;
        if (query.TagMode)
        {
            var tags = ChannelQuery.Tags(filtered);
            total = tags.Count;
            var pageTags = tags.Skip(paging.Offset).Take(paging.PageSize).ToHashSet(StringComparer.Ordinal);
            // new-api: each tag on the page brings all of its channels, tag by tag.
            items = [.. tags.Where(pageTags.Contains).SelectMany(t => query.Order(filtered.Where(c => c.Tag == t)))];
        }
        else
        {
            total = filtered.Count;
            items = [.. query.Order(filtered).Skip(paging.Offset).Take(paging.PageSize)];
        }
        return new ChannelListPage([.. items.Select(ChannelMapper.ToView)], total, paging.Page, paging.PageSize, ChannelQuery.TypeCounts(scoped));
    }

    /// <summary>
    /// keyword matches the id, the name (contains), the whole key or one of its keys (exact), or the base URL (contains);
    /// model matches the models list (contains). Paged in memory with p / page_size (default 20, no cap), like New API.
    /// </summary>
    public async Task<ChannelSearchPage> SearchAsync(HttpRequest request, CancellationToken ct)
    {
        var query = ChannelQuery.From(request);
        var keyword = request.Query["keyword"].ToString().Trim();
        var model = request.Query["model"].ToString().Trim();
        var all = await repo.ListAllAsync(ct);
        var grouped = all.Where(query.MatchesGroup).ToList();
        var hits = grouped.Where(c => MatchesKeyword(c, keyword) && Contains(c.Models, model)).ToList();
        List<ChannelRow> found;
        if (query.TagMode)
        {
            var tags = ChannelQuery.Tags(hits.Concat(grouped.Where(c => keyword.Length > 0 && Contains(c.Tag ?? "", keyword))));
            found = [.. tags.SelectMany(t => query.Order(grouped.Where(c => c.Tag == t)))];
        }
        else
        {
            found = [.. query.Order(hits)];
        }
        found = [.. found.Where(query.MatchesStatus)];
        var typeCounts = ChannelQuery.TypeCounts(found);
        found = [.. found.Where(query.MatchesType)];
        var page = ParsePositive(request.Query["p"], 1);
        var size = ParsePositive(request.Query["page_size"], 20);
        var items = found.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * size)).Take(size).Select(ChannelMapper.ToView).ToList();
        return new ChannelSearchPage(items, found.Count, typeCounts);
    }

    private bool MatchesKeyword(ChannelRow c, string keyword)
    {
        if (keyword.Length == 0) return true;
        if (long.TryParse(keyword, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && c.Id == id) return true;
        if (Contains(c.Name, keyword) || Contains(c.BaseUrl, keyword)) return true;
        // Keys are encrypted at rest, so the exact-key match happens here, on the decrypted value.
        var key = box.Decrypt(c.KeyEnc);
        return key == keyword || ChannelKeys.Split(key).Contains(keyword, StringComparer.Ordinal);
    }

    private static bool Contains(string haystack, string needle) =>
        needle.Length == 0 || haystack.Contains(needle, StringComparison.OrdinalIgnoreCase);

    private static int ParsePositive(string? s, int fallback) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
}
