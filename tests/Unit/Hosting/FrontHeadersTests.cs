using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using NewApi.Hosting.Front;

namespace NewApi.Tests.Unit.Hosting;

#pragma warning disable ASP0019 // Add is called on purpose: its duplicate-key behaviour is compared

/// <summary>The front loops' header collection answers as ASP.NET's <see cref="HeaderDictionary"/> does.</summary>
public sealed class FrontHeadersTests
{
    /// <summary>Runs the same steps on both collections and compares what each step reads back.</summary>
    private static void Same(params Func<IHeaderDictionary, object?>[] steps)
    {
        IHeaderDictionary ours = new FrontHeaders(), theirs = new HeaderDictionary();
        foreach (var step in steps)
        {
            Assert.Equal(Outcome(step, theirs), Outcome(step, ours));
            Assert.Equal(theirs.Count, ours.Count);
            Assert.Equal(theirs.ContentLength, ours.ContentLength);
            Assert.Equal(theirs.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}={h.Value}"),
                ours.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}={h.Value}"));
        }
    }

    private static string Outcome(Func<IHeaderDictionary, object?> step, IHeaderDictionary headers)
    {
        try
        {
            return step(headers) switch { StringValues v => $"[{v}]", var o => o?.ToString() ?? "null" };
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    [Fact]
    public void ReadsAndWrites_MatchHeaderDictionary() => Same(
        h => h["Authorization"],
        h => { h["Authorization"] = "Bearer a"; return null; },
        h => h["authorization"],
        h => h.ContainsKey("AUTHORIZATION"),
        h => { h["X-Multi"] = new StringValues(["1", "2"]); return null; },
        h => h["x-multi"].Count,
        h => { h["X-Multi"] = StringValues.Empty; return null; },   // an empty value removes the header
        h => h.ContainsKey("X-Multi"),
        h => h.TryGetValue("authorization", out var v) ? v : "missing",
        h => h.Remove("Missing"),
        h => h.Remove("AUTHORIZATION"),
        h => { h.Add("Content-Type", "application/json"); return null; },
        h => { h.Add("content-type", "text/plain"); return null; },   // a duplicate key throws
        h => h.Contains(new("CONTENT-TYPE", "application/json")),
        h => h.Remove(new KeyValuePair<string, StringValues>("content-type", "other")),
        h => h.Remove(new KeyValuePair<string, StringValues>("content-type", "application/json")),
        h => { h.Clear(); return null; },
        h => h.Count);

    [Fact]
    public void ContentLength_FollowsItsHeader() => Same(
        h => h.ContentLength,
        h => { h.ContentLength = 42; return null; },
        h => h["Content-Length"],
        h => { h["content-length"] = " 17 "; return null; },   // parsed trimmed, as ASP.NET does
        h => h.ContentLength,
        h => { h["Content-Length"] = "abc"; return null; },
        h => h.ContentLength,
        h => { h["Content-Length"] = new StringValues(["1", "2"]); return null; },
        h => h.ContentLength,
        h => { h["Content-Length"] = "9"; return null; },
        h => h.ContentLength,
        h => h.Remove("CONTENT-LENGTH"),
        h => h.ContentLength,
        h => { h.ContentLength = -1; return null; },   // refused
        h => { h.ContentLength = 5; return null; },
        h => { h.ContentLength = null; return null; },
        h => h.ContainsKey("Content-Length"),
        h => { h.Add("Content-Length", "3"); return null; },
        h => h.ContentLength);

    [Fact]
    public void ParsedHeaders_RepeatedNamesJoinTheirValues_InArrivalOrder()
    {
        var headers = new FrontHeaders();
        headers.Append("Accept", "a");
        headers.Append("Host", "h");
        headers.Append("accept", "b");
        headers.Append("Content-Length", "12");
        Assert.Equal(["Accept", "Host", "Content-Length"], headers.Select(h => h.Key));
        Assert.Equal(new StringValues(["a", "b"]), headers["ACCEPT"]);
        Assert.Equal(12, headers.ContentLength);
        headers.Append("Content-Length", "12");   // a second one: no longer a single valid length
        Assert.Null(headers.ContentLength);
    }

    [Fact]
    public void ManyHeaders_GrowTheStore_AndClearEmptiesIt()
    {
        var headers = new FrontHeaders();
        for (var i = 0; i < 40; i++) headers[$"X-H{i}"] = i.ToString();
        Assert.Equal(40, headers.Count);
        Assert.Equal("39", headers["x-h39"]);
        headers.Remove("X-H0");
        Assert.Equal("X-H1", headers.First().Key);   // order kept after a removal
        headers.Clear();
        Assert.Empty(headers);
        Assert.Equal(StringValues.Empty, headers["X-H1"]);
    }

    [Fact]
    public void EnumeratingWhileRemoving_StaysInBounds()
    {
        var headers = new FrontHeaders { ["A"] = "1", ["B"] = "2", ["C"] = "3" };
        var seen = new List<string>();
        foreach (var header in headers)
        {
            seen.Add(header.Key);
            headers.Remove("C");
        }
        Assert.Equal(["A", "B"], seen);
    }
}
