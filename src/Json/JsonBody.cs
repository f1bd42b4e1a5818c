using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace NewApi.Json;

/// <summary>Reads a JSON request body without throwing: malformed or mistyped JSON yields null, so handlers answer in their own format.</summary>
public static class JsonBody
{
    /// <summary>Any JSON value, or null when the body is not JSON (or holds a string that cannot be read: invalid UTF-8, a lone surrogate).</summary>
    public static async Task<JsonElement?> ReadElementAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, default, ct);
            return JsonText.StringsDecode(doc.RootElement) ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<T?> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken ct) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, ct);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
