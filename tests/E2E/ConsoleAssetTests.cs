using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using NewApi.Tests.Support;

namespace NewApi.Tests.E2E;

/// <summary>
/// The console files the published binary serves from its own image: the same bytes in every encoding the client
/// accepts, one ETag per file whatever the encoding, 304 on a match, and no encoding header for a file that has no
/// compressed sibling.
/// </summary>
public sealed class ConsoleAssetTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-e2e-assets-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Assets_AreServedIdentically_InEveryAcceptedEncoding()
    {
        await using var server = await Binary.Server.StartAsync(_dir.FullName);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = server.BaseAddress };

        var index = await GetAsync(http, "/", "br, gzip");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        var page = await index.Content.ReadAsByteArrayAsync();
        var html = System.Text.Encoding.UTF8.GetString(page);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(index.Content.Headers.ContentEncoding); // index.html ships without compressed siblings
        Assert.Equal(page.Length, (int)index.Content.Headers.ContentLength!);

        var script = Regex.Match(html, "/assets/[^\"']+\\.js").Value;
        Assert.NotEmpty(script);
        var plain = await GetAsync(http, script, null);
        var identity = await plain.Content.ReadAsByteArrayAsync();
        Assert.True(identity.Length > 0);
        Assert.Equal(identity.Length, (int)plain.Content.Headers.ContentLength!);
        var etag = plain.Headers.ETag!.Tag;

        foreach (var encoding in new[] { "br", "gzip" })
        {
            var r = await GetAsync(http, script, encoding);
            Assert.Equal(encoding, Assert.Single(r.Content.Headers.ContentEncoding));
            var packed = await r.Content.ReadAsByteArrayAsync();
            Assert.Equal(packed.Length, (int)r.Content.Headers.ContentLength!);
            Assert.True(packed.Length < identity.Length);
            Assert.Equal(identity, Unpack(packed, encoding));
            Assert.Equal(etag, r.Headers.ETag!.Tag);
        }

        using var conditional = new HttpRequestMessage(HttpMethod.Get, script);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var notModified = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? acceptEncoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        return http.SendAsync(request);
    }

    private static byte[] Unpack(byte[] packed, string encoding)
    {
        using var input = new MemoryStream(packed);
        using Stream z = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }
}
