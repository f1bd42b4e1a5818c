using System.Net;
using System.Text.RegularExpressions;
using NewApi.Tests.Support;

namespace NewApi.Tests.E2E;

/// <summary>
/// The published binary gives back its start-up-only image pages (the runtime's compressed type data, read once, and
/// the code only start-up ran) after it starts, and keeps serving.
/// </summary>
public sealed partial class StartupImageTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-e2e-image-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task StartupOnlyData_IsReleased_AndTheServerKeepsWorking()
    {
        await using var server = await Binary.Server.StartAsync(_dir.FullName, "--config", WriteConfig());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/v1/chat/completions", new StringContent("{}"))).StatusCode);
        var m = Released().Match(server.Output);
        Assert.True(m.Success, server.Output);
        // The compressed type data, found through the runtime's module header, and the start-up code src/layout.order
        // brackets (zero if the order file were not applied or its markers were lost).
        Assert.InRange(long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1L << 20, 64L << 20);
        Assert.InRange(long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 256L << 10, 64L << 20);
    }

    /// <summary>
    /// Starting (first start included: schema, secrets) and answering requests that need no key loads no crypto library:
    /// OpenSSL costs ~3.5 MB resident, so it waits for the first key, session or channel secret.
    /// </summary>
    [Fact]
    public async Task Starting_AndServingKeylessRequests_LoadsNoCryptoLibrary()
    {
        for (var start = 0; start < 2; start++)
        {
            await using var server = await Binary.Server.StartAsync(_dir.FullName);
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/status")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/nope")).StatusCode);
            var maps = await File.ReadAllTextAsync($"/proc/{server.Pid}/maps");
            Assert.DoesNotContain("libcrypto", maps);
            Assert.DoesNotContain("libssl", maps);
        }
        Assert.True(File.Exists(Path.Combine(_dir.FullName, ".crypto_secret")));
    }

    private string WriteConfig()
    {
        var path = Path.Combine(_dir.FullName, "config.toml");
        File.WriteAllText(path, "[log]\nlevel = \"debug\"\n");
        return path;
    }

    [GeneratedRegex(@"start-up-only image pages: (\d+) bytes of compressed type data, (\d+) bytes of code")]
    private static partial Regex Released();
}
