using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using NewApi.Hosting.Front;

namespace NewApi.Tests.Unit.Hosting;

/// <summary>The front loop's request head parser (what it serves, what it leaves to Kestrel) and the hand-over's prefixed reader.</summary>
public sealed class FrontParsingTests
{
    private static RequestHead.Verdict Parse(string head, out RequestHead.Parsed parsed, long maxBody = 1024)
    {
        parsed = new RequestHead.Parsed();
        return RequestHead.Parse(Encoding.Latin1.GetBytes(head), parsed, 64 * 1024, maxBody);
    }

    [Fact]
    public void RelayRequest_IsServed_WithItsHeaders()
    {
        var verdict = Parse("POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: gw\r\nauthorization: Bearer sk-1\r\nX-A: 1\r\nX-A: 2\r\n"
                            + "Content-Length: 12\r\nConnection: keep-alive\r\n\r\n", out var p);
        Assert.Equal(RequestHead.Verdict.Serve, verdict);
        Assert.Equal("POST", p.Method);
        Assert.Equal("/v1/chat/completions", p.Path);
        Assert.Equal("?x=1", p.Query);
        Assert.Equal(12, p.ContentLength);
        Assert.Equal("Bearer sk-1", p.Headers["Authorization"].ToString());
        Assert.Equal("1,2", p.Headers["X-A"].ToString());
        Assert.False(p.Close);
        Assert.Equal(RequestHead.Verdict.Serve, Parse("GET /v1beta/models HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", out p));
        Assert.True(p.Close);
    }

    [Fact]
    public void ARepeatedHead_ReusesThePreviousStrings_AndADifferentOneIsReadAfresh()
    {
        var parsed = new RequestHead.Parsed();
        const string first = "POST /v1/chat/completions?a=1 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer sk-1\r\nX-Custom-Name: v1\r\nContent-Length: 2\r\n\r\n";
        Assert.Equal(RequestHead.Verdict.Serve, RequestHead.Parse(Encoding.ASCII.GetBytes(first), parsed, 64 * 1024, 1024));
        var auth = parsed.Headers["Authorization"].ToString();
        var custom = parsed.Headers["X-Custom-Name"].ToString();
        var path = parsed.Path;
        parsed.Path = "/rewritten";   // middleware may rewrite the request's path: the next request is not affected
        Assert.Equal(RequestHead.Verdict.Serve, RequestHead.Parse(Encoding.ASCII.GetBytes(first), parsed, 64 * 1024, 1024));
        Assert.Same(auth, parsed.Headers["Authorization"].ToString());
        Assert.Same(custom, parsed.Headers["X-Custom-Name"].ToString());
        Assert.Same(path, parsed.Path);
        Assert.Equal("/v1/chat/completions", parsed.Path);
        Assert.Equal("?a=1", parsed.Query);
        // Same lengths, other bytes: new strings with the new text.
        const string second = "POST /v1/chat/completionz?a=2 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer sk-2\r\nX-Custom-Namf: v2\r\nContent-Length: 2\r\n\r\n";
        Assert.Equal(RequestHead.Verdict.Serve, RequestHead.Parse(Encoding.ASCII.GetBytes(second), parsed, 64 * 1024, 1024));
        Assert.Equal("Bearer sk-2", parsed.Headers["Authorization"].ToString());
        Assert.Equal("v2", parsed.Headers["X-Custom-Namf"].ToString());
        Assert.False(parsed.Headers.ContainsKey("X-Custom-Name"));
        Assert.Equal("/v1/chat/completionz", parsed.Path);
        Assert.Equal("?a=2", parsed.Query);
        Assert.Equal("/v1/chat/completionz?a=2", parsed.RawTarget);
    }

    [Fact]
    public void HeaderNames_AreTheSharedKnownNames_WhateverTheirCase_RequestAfterRequest()
    {
        var parsed = new RequestHead.Parsed();
        string[] heads =
        [
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nauthorization: Bearer a\r\nX-Own: 1\r\nContent-Length: 2\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer a\r\nX-Own: 1\r\nContent-Length: 2\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAUTHORIZATION: Bearer a\r\nx-own: 1\r\nContent-Length: 2\r\n\r\n",
        ];
        string? own = null;
        foreach (var head in heads)
        {
            Assert.Equal(RequestHead.Verdict.Serve, RequestHead.Parse(Encoding.ASCII.GetBytes(head), parsed, 64 * 1024, 1024));
            var names = parsed.Headers.Select(h => h.Key).ToArray();
            Assert.Same("Authorization", names[1]);   // the known name's one string, found by reference later
            Assert.Same("Content-Length", names[3]);
            Assert.Equal("x-own", names[2], ignoreCase: true);
            if (own is not null && names[2] == own) Assert.Same(own, names[2]);   // repeated bytes: the previous string
            own = names[2];
        }
    }

    [Fact]
    public void HeadStrings_ReuseOnlyEqualAsciiBytes()
    {
        var strings = new HeadStrings();
        var a = strings.Latin1(3, "text/plain"u8);
        Assert.Same(a, strings.Latin1(3, "text/plain"u8));
        Assert.Equal("text/plaiN", strings.Latin1(3, "text/plaiN"u8));
        var latin = strings.Latin1(4, [0x63, 0x61, 0x66, 0xE9]);   // "café" in Latin-1: decoded, never mistaken for a cached string
        Assert.Equal("café", latin);
        Assert.Equal("café", strings.Latin1(4, [0x63, 0x61, 0x66, 0xE9]));
        Assert.Equal("x", strings.Ascii(HeadStrings.Slots + 5, "x"u8));   // past the slots: decoded, not kept
        Assert.Null(strings.Reuse(5, "Host"u8));
        Assert.Same("Host", strings.Remember(5, "Host"));
        Assert.Same("Host", strings.Reuse(5, "Host"u8));
        Assert.Null(strings.Reuse(5, "host"u8));   // byte for byte only
        Assert.Null(strings.Reuse(HeadStrings.Slots + 1, "Host"u8));
    }

    [Fact]
    public void IncompleteHead_WaitsForMore()
    {
        Assert.Equal(RequestHead.Verdict.Incomplete, Parse("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n", out _));
    }

    [Theory]
    [InlineData("GET /api/status HTTP/1.1\r\nHost: gw\r\n\r\n")]                                       // not a relay path
    [InlineData("GET / HTTP/1.1\r\nHost: gw\r\n\r\n")]
    [InlineData("PUT /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n\r\n")]                              // other methods
    [InlineData("post /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n\r\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.0\r\nHost: gw\r\n\r\n")]                             // HTTP/1.0
    [InlineData("POST /v1/chat/completions HTTP/1.0\r\n\r\n")]                                           // (no Host needed)
    [InlineData("POST /v1/chat%2Fcompletions HTTP/1.1\r\nHost: gw\r\n\r\n")]                           // escapes
    [InlineData("POST /v1/../api/status HTTP/1.1\r\nHost: gw\r\n\r\n")]                                // dot segments
    [InlineData("POST /v1//chat/completions HTTP/1.1\r\nHost: gw\r\n\r\n")]
    [InlineData("POST http://gw/v1/chat/completions HTTP/1.1\r\nHost: gw\r\n\r\n")]                    // absolute form
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")]
    [InlineData("GET /v1/realtime HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nOrigin: http://x\r\n\r\n")]          // CORS
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Length: 99999\r\n\r\n")]     // over the loop's limit
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nX-Name: caf\u00e9\r\n\r\n")]         // non-ASCII value
    [InlineData("GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n")]                                               // broken, but not an API path
    public void AnythingUnusual_IsLeftToKestrel(string head)
    {
        Assert.Equal(RequestHead.Verdict.Handover, Parse(head, out _));
    }

    [Theory]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\n\r\n", 400, "/v1/chat/completions")]             // no Host
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "/v1/chat/completions")]
    [InlineData("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", 400, "/v1/messages")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Length: -1\r\n\r\n", 400, "/v1/chat/completions")]
    [InlineData("POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: gw\r\nContent-Length: abc\r\n\r\n", 400, "/v1/chat/completions")]
    [InlineData("POST /api/user/login HTTP/1.1\r\nHost: gw\r\nBad Name: 1\r\n\r\n", 400, "/api/user/login")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n folded: 1\r\n\r\n", 400, "/v1/chat/completions")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nNoColon\r\n\r\n", 400, "/v1/chat/completions")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nX: a\u0001b\r\n\r\n", 400, "/v1/chat/completions")]
    [InlineData("POST /v1beta/models/m:generateContent HTTP/2.0\r\nHost: gw\r\n\r\n", 400, "/v1beta/models/m:generateContent")]   // Kestrel: 505
    [InlineData("POST /v1/chat/completions HTTP/1.1 extra\r\nHost: gw\r\n\r\n", 400, "/v1/chat/completions")]
    public void HeadsKestrelRefuses_OnApiPaths_AreRefusedInTheirDialect(string head, int status, string path)
    {
        Assert.Equal(RequestHead.Verdict.Reject, Parse(head, out var p));
        Assert.Equal(status, p.RejectStatus);
        Assert.Equal(path, p.RejectPath);
    }

    [Theory]
    [InlineData("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003")]   // a TLS hello, no line end
    [InlineData("\u0000\u0000\u0000")]
    [InlineData(" GET / HTTP/1.1")]
    [InlineData("GET{}/ HTTP/1.1")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP")]                // no method is that long
    [InlineData("GET /console HTTP/9.9\r\nHost: gw\r\n\r\n")]               // any path: Kestrel would answer 505
    public void NotHttp_IsRefusedAtOnce_InOpenAisDialect(string bytes)
    {
        Assert.Equal(RequestHead.Verdict.Reject, Parse(bytes, out var p));
        Assert.Equal(400, p.RejectStatus);
        Assert.Equal("/", p.RejectPath);
    }

    [Theory]
    [InlineData("POS")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-")]
    public void PartialHeads_WaitForMore(string bytes) => Assert.Equal(RequestHead.Verdict.Incomplete, Parse(bytes, out _));

    [Theory]
    [InlineData("GET /api/status HTTP/1.1\nHost: gw\n\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    public void HeadsEndedByBareLineFeeds_AndHttp2sPreface_AreKestrels(string bytes) => Assert.Equal(RequestHead.Verdict.Handover, Parse(bytes, out _));

    [Fact]
    public void ARequestCutShortByTheClient_IsRefusedOnApiPaths()
    {
        var p = new RequestHead.Parsed();
        Assert.Equal(RequestHead.Verdict.Reject, RequestHead.Truncated("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nContent-"u8, p));
        Assert.Equal((400, "/v1/messages"), (p.RejectStatus, p.RejectPath));
        Assert.Equal(RequestHead.Verdict.Handover, RequestHead.Truncated("GET /console HTTP/1.1\r\nHo"u8, p));
    }

    [Fact]
    public void HeadWithoutEnd_PastTheLimit_Is431_OnApiPaths()
    {
        var parsed = new RequestHead.Parsed();
        var head = Encoding.ASCII.GetBytes("POST /v1/chat/completions HTTP/1.1\r\nX: " + new string('a', 70_000));
        Assert.Equal(RequestHead.Verdict.Incomplete, RequestHead.Parse(head, parsed, 64 * 1024, 1024));
        head = Encoding.ASCII.GetBytes("POST /v1/chat/completions HTTP/1.1\r\nX: " + new string('a', 90_000));
        Assert.Equal(RequestHead.Verdict.Reject, RequestHead.Parse(head, parsed, 64 * 1024, 1024));
        Assert.Equal(431, parsed.RejectStatus);
        head = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX: " + new string('a', 90_000));
        Assert.Equal(RequestHead.Verdict.Handover, RequestHead.Parse(head, parsed, 64 * 1024, 1024));
    }

    [Fact]
    public async Task PrefixedReader_GivesThePrefixFirst_ThenTheSocket_AndJoinsAHeadSplitBetweenThem()
    {
        var pipe = new Pipe();
        var reader = new PrefixedPipeReader(Encoding.ASCII.GetBytes("GET / HT"), pipe.Reader);
        var first = await reader.ReadAsync();
        Assert.Equal("GET / HT", Encoding.ASCII.GetString(first.Buffer.ToArray()));
        reader.AdvanceTo(first.Buffer.GetPosition(4), first.Buffer.End);   // consumed "GET ", wants more
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("TP/1.1\r\n"));
        var second = await reader.ReadAsync();
        Assert.Equal("/ HTTP/1.1\r\n", Encoding.ASCII.GetString(second.Buffer.ToArray()));
        reader.AdvanceTo(second.Buffer.End);
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("next"));
        var third = await reader.ReadAsync();
        Assert.Equal("next", Encoding.ASCII.GetString(third.Buffer.ToArray()));
        reader.AdvanceTo(third.Buffer.End);
        await pipe.Writer.CompleteAsync();
        Assert.True((await reader.ReadAsync()).IsCompleted);
    }
}
