using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NewApi.Relay.Http;

namespace NewApi.Tests.Unit.Relay;

/// <summary>The guarded client refuses private destinations, however they are reached.</summary>
public sealed class SsrfPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("192.168.0.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700:4700::1111", false)]
    public void PrivateAndLinkLocalRanges_AreDenied(string ip, bool denied) => Assert.Equal(denied, SsrfPolicy.IsDenied(IPAddress.Parse(ip)));

    [Theory]
    [InlineData("http://127.0.0.1:9/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://localhost:9/")]   // a name that resolves to loopback
    public async Task GuardedClient_RefusesPrivateDestinations(string url)
    {
        using var http = new OutboundHttp(new SsrfPolicy(), TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.Guarded.GetAsync(url));
        Assert.Contains("refused", e.Message + e.InnerException?.Message);
    }

    [Fact]
    public async Task GuardedClient_RefusesARedirectToAPrivateAddress()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.Run(ctx =>
        {
            ctx.Response.Redirect("http://169.254.169.254/latest/meta-data/");
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var connections = 0;
        // The first hop (the test server on loopback) is allowed; every later connection is judged normally.
        var policy = new SsrfPolicy { AllowPrivate = () => Interlocked.Increment(ref connections) == 1 };
        using var http = new OutboundHttp(policy, TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.Guarded.GetAsync(app.Urls.First()));
        Assert.Contains("refused", e.Message + e.InnerException?.Message);
        Assert.Equal(2, connections);
    }

    [Fact]
    public async Task PortsOutsideTheAllowList_AreRefused()
    {
        using var http = new OutboundHttp(new SsrfPolicy { AllowPrivate = () => true, AllowedPorts = () => [80, 443] }, TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.Guarded.GetAsync("http://127.0.0.1:9/"));
        Assert.Contains("port 9", e.Message + e.InnerException?.Message);
    }
}
