using System.Collections.Frozen;
using System.Reflection;
using NewApi.Common;
using System.Globalization;

namespace NewApi.Hosting;

/// <summary>
/// The console bundle embedded in the binary (resources named <c>console/…</c>), served straight from the executable's
/// read-only image: nothing is copied onto the heap, and a file's pages are read only when it is first served.
/// build.sh ships <c>.br</c>/<c>.gz</c> siblings, served when the client accepts them. A file's ETag is its length and
/// hash, computed on first use.
/// </summary>
public sealed class ConsoleAssets
{
    public sealed class Asset(string path, string contentType, ReadOnlyMemory<byte> body, ReadOnlyMemory<byte>? brotli,
        ReadOnlyMemory<byte>? gzip, bool immutable)
    {
        private string? _etag;

        public string Path { get; } = path;
        public string ContentType { get; } = contentType;
        public ReadOnlyMemory<byte> Body { get; } = body;
        public ReadOnlyMemory<byte>? Brotli { get; } = brotli;
        public ReadOnlyMemory<byte>? Gzip { get; } = gzip;
        public bool Immutable { get; } = immutable;
        /// <summary>Length and FNV-1a 64 of the bytes: a validator, not a secret, so no crypto library is loaded for it.</summary>
        public string ETag => _etag ??= string.Create(CultureInfo.InvariantCulture, $"\"{Body.Length:x}-{Fnv1a.Hash64(Body.Span):x16}\"");
    }

    private readonly FrozenDictionary<string, Asset> _assets;

    public ConsoleAssets() : this(typeof(ConsoleAssets).Assembly) { }

    public ConsoleAssets(Assembly asm)
    {
        var raw = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames())
        {
            if (!name.StartsWith("console/", StringComparison.Ordinal)) continue;
            raw["/" + name["console/".Length..].Replace('\\', '/')] = ResourceBytes(asm.GetManifestResourceStream(name)!);
        }
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (path, body) in raw)
        {
            if (path.EndsWith(".br", StringComparison.Ordinal) || path.EndsWith(".gz", StringComparison.Ordinal)) continue;
            // (Typed conditionals: a bare null would become an empty ReadOnlyMemory through its array conversion.)
            ReadOnlyMemory<byte>? br = raw.TryGetValue(path + ".br", out var b) ? b : (ReadOnlyMemory<byte>?)null;
            ReadOnlyMemory<byte>? gz = raw.TryGetValue(path + ".gz", out var g) ? g : (ReadOnlyMemory<byte>?)null;
            // Vite names bundle files name-<hash>.ext under assets/: those never change, so they cache for a year.
            var immutable = path.StartsWith("/assets/", StringComparison.Ordinal);
            assets[path] = new Asset(path, ContentTypeOf(path), body, br, gz, immutable);
        }
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// A resource's bytes where the assembly image holds them (an embedded resource's stream is a view of mapped
    /// memory that lives as long as the process); any other stream is read into an array.
    /// </summary>
    private static unsafe ReadOnlyMemory<byte> ResourceBytes(Stream s)
    {
        using (s)
        {
            if (s is UnmanagedMemoryStream u && u.Length <= int.MaxValue)
                return new ImageMemory(u.PositionPointer, (int)u.Length).Memory;
            var bytes = new byte[s.Length];
            s.ReadExactly(bytes);
            return bytes;
        }
    }

    /// <summary>Memory of the loaded executable image: never freed or moved, so pinning is a no-op.</summary>
    private sealed unsafe class ImageMemory(byte* pointer, int length) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
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
