using System.Buffers;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// Reads a multipart/form-data request section by section: text fields into memory (1 MiB each at most), files
/// straight into a <see cref="MultipartSpool"/>. The whole body counts against MAX_REQUEST_BODY_MB after gzip/br
/// inflation (413 beyond it); a malformed body is a 400, never a 500.
/// </summary>
public static class MultipartFormReader
{
    private const int MaxFieldBytes = 1 << 20;
    private const int MaxParts = 1000;
    private const int Chunk = 64 * 1024;

    public static bool IsMultipart(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    public static async Task<(MultipartForm? Form, RelayError? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || HeaderUtilities.RemoveQuotes(type.Boundary) is not { Length: > 0 and <= 200 } boundary)
            return (null, RelayError.BadRequest("invalid multipart/form-data: boundary missing"));
        var (source, encodingError) = Inflate(request);
        if (encodingError is not null) return (null, encodingError);
        var spool = new MultipartSpool();
        try
        {
            var reader = new MultipartReader(boundary.ToString(), source) { BodyLengthLimit = maxBytes, HeadersCountLimit = 16 };
            var (fields, files, error) = await ReadSectionsAsync(reader, spool, maxBytes, ct);
            if (error is not null)
            {
                spool.Dispose();
                return (null, error);
            }
            return (new MultipartForm(fields, files, spool), null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            spool.Dispose();
            return (null, e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } || e.Message.Contains("body length limit", StringComparison.Ordinal)
                ? TooLarge() : RelayError.BadRequest("invalid multipart/form-data body", ErrorCodes.ReadRequestBodyFailed));
        }
        catch
        {
            spool.Dispose();
            throw;
        }
        finally
        {
            if (!ReferenceEquals(source, request.Body)) await source.DisposeAsync();
        }
    }

    private static async Task<(List<KeyValuePair<string, string>>, List<FormFile>, RelayError?)> ReadSectionsAsync(MultipartReader reader,
        MultipartSpool spool, long maxBytes, CancellationToken ct)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var files = new List<FormFile>();
        long total = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (fields.Count + files.Count >= MaxParts) return (fields, files, RelayError.BadRequest("too many form parts"));
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd)
                    || !cd.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)) continue;
                var name = HeaderUtilities.RemoveQuotes(cd.Name).ToString();
                var fileName = !StringSegment.IsNullOrEmpty(cd.FileNameStar) ? cd.FileNameStar : cd.FileName;
                if (!StringSegment.IsNullOrEmpty(fileName))
                {
                    var offset = spool.Length;
                    int read;
                    while ((read = await section.Body.ReadAsync(buffer, ct)) > 0)
                    {
                        total += read;
                        if (total > maxBytes) return (fields, files, TooLarge());
                        await spool.WriteAsync(buffer.AsMemory(0, read), ct);
                    }
                    files.Add(new FormFile(name, HeaderUtilities.RemoveQuotes(fileName).ToString(), section.ContentType ?? "", offset, spool.Length - offset));
                    continue;
                }
                var (value, length) = await ReadFieldAsync(section.Body, ct);
                if (value is null) return (fields, files, RelayError.BadRequest($"form field {name} is too large"));
                total += length;
                if (total > maxBytes) return (fields, files, TooLarge());
                fields.Add(new(name, value));
            }
            return (fields, files, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<(string?, int)> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= MaxFieldBytes) return (null, length);
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) return (Encoding.UTF8.GetString(buffer, 0, length), length);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (Stream, RelayError?) Inflate(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        return encoding switch
        {
            "" or "identity" => (request.Body, null),
            "gzip" or "x-gzip" => (new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true), null),
            "br" => (new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true), null),
            _ => (request.Body, RelayError.BadRequest($"unsupported content encoding: {encoding}", ErrorCodes.ReadRequestBodyFailed)),
        };
    }

    private static RelayError TooLarge() => RelayError.Local(StatusCodes.Status413PayloadTooLarge, "request body too large", ErrorCodes.ReadRequestBodyFailed,
        type: ErrorTypes.InvalidRequest);
}
