using System.Text;
using NewApi.Hosting.Front;

namespace NewApi.Tests.Unit.Hosting;

/// <summary>The loops' upstream client reads Connection: close and chunked framing off the raw header lines, as HttpHeaders'
/// ConnectionClose and TransferEncodingChunked would, and the Content-Length with them.</summary>
public sealed class UpstreamHeadFactsTests
{
    private static UpstreamContent.HeadFacts Read(params (string Name, string Value)[] headers)
    {
        var facts = default(UpstreamContent.HeadFacts);
        foreach (var (name, value) in headers) facts.Observe(name, Encoding.ASCII.GetBytes(value));
        return facts;
    }

    [Theory]
    [InlineData("Connection", "close", true)]
    [InlineData("connection", "Keep-Alive, CLOSE", true)]
    [InlineData("Connection", " upgrade ,\tclose\t", true)]
    [InlineData("Connection", "keep-alive", false)]
    [InlineData("Connection", "closed", false)]
    [InlineData("X-Connection", "close", false)]
    public void ConnectionClose_IsAListedToken(string name, string value, bool close) => Assert.Equal(close, Read((name, value)).Close);

    [Theory]
    [InlineData("Transfer-Encoding", "chunked", true)]
    [InlineData("transfer-encoding", "identity, Chunked", true)]
    [InlineData("Transfer-Encoding", "chunkedx", false)]
    [InlineData("Content-Encoding", "chunked", false)]
    public void Chunked_IsAListedToken(string name, string value, bool chunked) => Assert.Equal(chunked, Read((name, value)).Chunked);

    [Theory]
    [InlineData(new[] { "12" }, 12L, false)]
    [InlineData(new[] { "0" }, 0L, false)]
    [InlineData(new[] { "12", "12" }, 12L, false)]   // repeated with the same number
    [InlineData(new[] { "12", "13" }, null, true)]   // conflicting
    [InlineData(new[] { "-1" }, null, true)]
    [InlineData(new[] { "abc" }, null, true)]
    [InlineData(new[] { "99999999999999999999" }, null, true)]
    [InlineData(new string[0], null, false)]
    public void ContentLength_IsOneNonNegativeNumber(string[] values, long? length, bool bad)
    {
        var facts = Read(values.Select(v => ("content-length", v)).ToArray());
        Assert.Equal(bad, facts.BadLength);
        if (!bad) Assert.Equal(length, facts.Length);
    }

    [Fact]
    public void RepeatedLines_AreAllRead()
    {
        var facts = Read(("Connection", "keep-alive"), ("Transfer-Encoding", "identity"), ("Connection", "close"), ("Transfer-Encoding", "chunked"));
        Assert.True(facts.Close);
        Assert.True(facts.Chunked);
    }
}
