using NewApi.Admin.Logs;

namespace NewApi.Tests.Integration.Admin;

/// <summary>The user view of <c>other</c>: New API's top-level deletions, and its "null" for anything but an object.</summary>
public sealed class LogRedactionTests
{
    [Theory]
    [InlineData("""{"a":1,"admin_info":{"x":[1,{"y":2}]},"b":"模型 <tag>","audit_info":null,"stream_status":"s","c":[1,2]}""",
        """{"a":1,"b":"模型 <tag>","c":[1,2]}""")]
    [InlineData("""{"nested":{"admin_info":1}}""", """{"nested":{"admin_info":1}}""")]    // only top-level keys, as New API
    [InlineData("""{"admin\u005finfo":1,"k":true}""", """{"k":true}""")]                 // escaped key names too
    [InlineData(""" { "x" : 1.50 } """, """{"x":1.50}""")]                                  // values copied as written
    [InlineData("{}", "{}")]
    [InlineData("", "null")]
    [InlineData("null", "null")]
    [InlineData("[1,2]", "null")]
    [InlineData("\"text\"", "null")]
    [InlineData("{\"a\":1", "null")]
    [InlineData("{\"a\":1} trailing", "null")]
    [InlineData("not json", "null")]
    public void RedactOther(string stored, string shown) => Assert.Equal(shown, LogFormatter.RedactOther(stored));
}
