using Microsoft.AspNetCore.Http;
using NewApi.Hosting;

namespace NewApi.Tests.Unit.Hosting;

/// <summary>Which requests may run on a socket engine thread under server.inline_io: relay calls with modest bodies only.</summary>
public sealed class InlineIoTests
{
    private static HttpRequest Request(string method, string path, long? length = null, bool chunked = false)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = method;
        ctx.Request.Path = path;
        ctx.Request.ContentLength = length;
        if (chunked) ctx.Request.Headers.TransferEncoding = "chunked";
        return ctx.Request;
    }

    [Theory]
    [InlineData("POST", "/v1/chat/completions", 2_000L, false, true)]
    [InlineData("POST", "/v1/messages", 262_144L, false, true)]
    [InlineData("POST", "/v1beta/models/gemini-pro:generateContent", 100L, false, true)]
    [InlineData("GET", "/v1/models", null, false, true)]
    [InlineData("POST", "/pg/chat/completions", 500L, false, true)]
    [InlineData("POST", "/v1/chat/completions", 262_145L, false, false)]   // a large prompt is parsed and counted on the pool
    [InlineData("POST", "/v1/chat/completions", null, true, false)]        // unknown length
    [InlineData("POST", "/api/user/login", 60L, false, false)]             // password hashing, database
    [InlineData("GET", "/api/log/", null, false, false)]
    [InlineData("GET", "/", null, false, false)]
    [InlineData("GET", "/v1x", null, false, false)]
    public void OnlyRelayCallsWithModestBodiesStayInline(string method, string path, long? length, bool chunked, bool inline) =>
        Assert.Equal(inline, InlineIo.StaysInline(Request(method, path, length, chunked)));

    [Fact]
    public async Task OtherRequestsContinueOnThePool()
    {
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            // A thread that is not a pool thread, like a socket engine thread.
            var ctx = new DefaultHttpContext();
            ctx.Request.Method = "POST";
            ctx.Request.Path = "/api/user/login";
            _ = InlineIo.DispatchAsync(ctx, _ => { ran.SetResult(Thread.CurrentThread.IsThreadPoolThread); return Task.CompletedTask; });
        });
        thread.Start();
        Assert.True(await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
