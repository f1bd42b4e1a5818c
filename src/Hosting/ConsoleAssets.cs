using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace NewApi.Hosting;

/// <summary>
/// The console bundle embedded in the binary (resources named <c>console/…</c>). Each file is read once into memory
/// with its ETag; build.sh ships <c>.br</c>/<c>.gz</c> siblings, served when the client accepts them.
/// </summary>
public sealed class ConsoleAssets
{
    public sealed record Asset(string Path, string ContentType, string ETag, byte[] Body, byte[]? Brotli, byte[]? Gzip, bool Immutable);

    private readonly FrozenDictionary<string, Asset> _assets;

    public ConsoleAssets() : this(typeof(ConsoleAssets).Assembly) { }

    public ConsoleAssets(Assembly asm)
    {
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames())
        {
            if (!name.StartsWith("console/", StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(name)!;
            var bytes = new byte[s.Length];
            s.ReadExactly(bytes);
            raw["/" + name["console/".Length..].Replace('\\', '/')] = bytes;
        }
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (path, body) in raw)
        {
            if (path.EndsWith(".br", StringComparison.Ordinal) || path.EndsWith(".gz", StringComparison.Ordinal)) continue;
            raw.TryGetValue(path + ".br", out var br);
            raw.TryGetValue(path + ".gz", out var gz);
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..20] + "\"";
            // Vite names bundle files name-<hash>.ext under assets/: those never change, so they cache for a year.
            var immutable = path.StartsWith("/assets/", StringComparison.Ordinal);
            assets[path] = new Asset(path, ContentTypeOf(path), etag, body, br, gz, immutable);
        }
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool IsEmpty => _assets.Count == 0;

    public Asset? Find(string path) => _assets.TryGetValue(path, out var a) ? a : null;

    public Asset? Index => Find("/index.html");

    public static string ContentTypeOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" or ".map" => "application/json; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".ico" => "image/x-icon",
        ".woff" => "font/woff",
        ".woff2" => "font/woff2",
        ".txt" => "text/plain; charset=utf-8",
        ".webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    };
}
