using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// The client's request body, read once into pooled memory (it is resent on a retry). gzip and br bodies are
/// inflated here, and the size limit (MAX_REQUEST_BODY_MB) is counted after inflation, so a small compressed
/// bomb answers 413 instead of filling memory. Dispose returns the buffer.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public static async ValueTask<(RequestBody? Body, RelayError? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        Stream source = request.Body;
        if (encoding is "gzip" or "x-gzip") source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        else if (encoding == "br") source = new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        else if (encoding is not ("" or "identity")) return (null, RelayError.BadRequest($"unsupported content encoding: {encoding}", ErrorCodes.ReadRequestBodyFailed));
        request.Headers.Remove("Content-Encoding");
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength.Value + 1 : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length) buffer = Grow(buffer, length);
                var read = await source.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > maxBytes) return (null, TooLarge(buffer));
            }
            return (new RequestBody(buffer, length), null);
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, RelayError.BadRequest("invalid compressed request body", ErrorCodes.ReadRequestBodyFailed));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(buffer));
        }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            // Framing Kestrel could not read (a chunk size that overflows arrives as a plain IOException) or a client
            // that broke off mid-body: either way there is no request to relay.
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, RelayError.BadRequest("invalid request body: it could not be read", ErrorCodes.ReadRequestBodyFailed));
        }
        finally
        {
            if (!ReferenceEquals(source, request.Body)) await source.DisposeAsync();
        }
    }

    /// <summary>A body built by the relay itself (the text fields of a multipart form, a rewritten playground body).</summary>
    public static RequestBody Copy(ReadOnlySpan<byte> bytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes.Length));
        bytes.CopyTo(buffer);
        return new RequestBody(buffer, bytes.Length);
    }

    private static RelayError TooLarge(byte[] buffer)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        return RelayError.Local(StatusCodes.Status413PayloadTooLarge, "request body too large", ErrorCodes.ReadRequestBodyFailed,
            type: ErrorTypes.InvalidRequest);
    }

    private static byte[] Grow(byte[] buffer, int length)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, []);
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
