using NewApi.Admin.Site;
using NewApi.Admin.Tokens;
using NewApi.Common;

namespace NewApi.Tests.Unit.Common;

public sealed class CommonTests
{
    [Theory]
    [InlineData("abcdefghijklmnop", "abcd**********mnop")]
    [InlineData("abcdefgh", "ab****gh")]
    [InlineData("abc", "***")]
    [InlineData("", "")]
    public void MaskKey_MatchesNewApi(string key, string masked) => Assert.Equal(masked, Secrets.MaskKey(key));

    [Theory]
    [InlineData("cpu  4705 150 1120 16250 520 0 23 7 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n", 16770, 22775)]
    [InlineData("cpu  10 20 30 40 50\n", 90, 150)]                      // an old kernel: fewer counters
    [InlineData("cpu  10 20 30 40 50 60 70 80 90 100", 90, 360)]         // guest time is inside user: not added again
    public void CpuRoom_Parse_SumsTheAggregateLine(string stat, long idle, long total)
    {
        Assert.True(CpuRoom.Parse(System.Text.Encoding.ASCII.GetBytes(stat), out var i, out var t));
        Assert.Equal((idle, total), (i, t));
    }

    [Theory]
    [InlineData("")]
    [InlineData("intr 1 2 3")]
    [InlineData("cpu  10 20 x")]
    public void CpuRoom_Parse_RefusesWhatIsNotTheCpuLine(string stat) =>
        Assert.False(CpuRoom.Parse(System.Text.Encoding.ASCII.GetBytes(stat), out _, out _));

    [Theory]
    [InlineData("some avg10=13.94 avg60=24.70 avg300=22.09 total=651233083\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 651233083)]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=0", 0)]
    public void CpuPressure_ParsesTheSomeTotal(string text, long total)
    {
        Assert.True(CpuPressure.ParseSomeTotal(System.Text.Encoding.ASCII.GetBytes(text), out var t));
        Assert.Equal(total, t);
    }

    [Theory]
    [InlineData("full avg10=0.00 avg60=0.00 avg300=0.00 total=5")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00")]
    [InlineData("some avg10=0.00 total=x")]
    public void CpuPressure_RefusesOtherText(string text) =>
        Assert.False(CpuPressure.ParseSomeTotal(System.Text.Encoding.ASCII.GetBytes(text), out _));

    /// <summary>The stalled share is the growth of "total" (µs) over the wall time between two readings.</summary>
    [Fact]
    public void CpuPressure_StalledShare_FollowsTheTotal()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "some avg10=0.00 avg60=0.00 avg300=0.00 total=1000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
            using var p = new CpuPressure(path);
            Assert.True(p.Available);
            Assert.False(p.TryStalledShare(out _));   // the first reading only sets the start
            Assert.True(p.TryStalledShare(out var none));
            Assert.Equal(0, none);
            // 10^12 µs stalled: more than any wall time this test can take.
            File.WriteAllText(path, "some avg10=0.00 avg60=0.00 avg300=0.00 total=1000000001000\n");
            Assert.True(p.TryStalledShare(out var busy));
            Assert.True(busy > 1);
        }
        finally
        {
            File.Delete(path);
        }
        using var missing = new CpuPressure(Path.Combine(Path.GetTempPath(), "no-such-pressure-file"));
        Assert.False(missing.Available);
        Assert.False(missing.TryStalledShare(out _));
    }

    [Theory]
    [InlineData("401", true)]
    [InlineData("100-199,300-399,401-407,409-499,500-503,505-523,525-599", true)]
    [InlineData("500-400", false)]
    [InlineData("abc", false)]
    [InlineData("99", false)]
    public void StatusCodeRanges_Parse(string s, bool ok) => Assert.Equal(ok, StatusCodeRanges.TryParse(s, out _));

    [Theory]
    [InlineData("name", "name", false, null)]
    [InlineData("na%", "na%", true, null)]
    [InlineData("a_b%", "a!_b%", true, null)]
    [InlineData("%a%b%", null, false, "x")]
    [InlineData("a%%b", null, false, "x")]
    [InlineData("a%", null, false, "x")]
    public void TokenSearchPattern_ValidatesLikeNewApi(string input, string? pattern, bool isLike, string? error)
    {
        var r = TokenService.BuildPattern(input, allowWildcards: true);
        Assert.Equal(pattern, r.Pattern);
        Assert.Equal(isLike, r.IsLike);
        Assert.Equal(error is null, r.Error is null);
    }

    [Fact]
    public void HtmlSanitizer_KeepsMarkupDropsScript()
    {
        var s = HtmlSanitizer.Clean("<p style=\"x\">ok</p><img src=x onerror=alert(1)><iframe src=\"https://e\"></iframe><a href='javascript:x'>a</a>");
        Assert.Contains("<p style=\"x\">ok</p>", s);
        Assert.DoesNotContain("onerror", s);
        Assert.DoesNotContain("iframe", s);
        Assert.DoesNotContain("javascript", s);
    }
}
