using System.Text.Json.Serialization;

namespace NewApi.Common;

/// <summary>New API's management envelope: HTTP 200 with success=false for business failures.</summary>
public sealed record Envelope<T>(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] T? Data);

/// <summary>Envelope without a payload (the original omits <c>data</c> on most failures and plain successes).</summary>
public sealed record Reply(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Paged list body: <c>{page, page_size, total, items}</c>.</summary>
public sealed record Page<T>(int PageNumber, int PageSize, long Total, IReadOnlyList<T> Items)
{
    [JsonPropertyName("page")] public int PageNumber { get; init; } = PageNumber;
    [JsonPropertyName("page_size")] public int PageSize { get; init; } = PageSize;
    [JsonPropertyName("total")] public long Total { get; init; } = Total;
    [JsonPropertyName("items")] public IReadOnlyList<T> Items { get; init; } = Items;
}

public static class Api
{
    public static Envelope<T> Ok<T>(T data, string message = "") => new(true, message, data);
    public static Reply Ok() => new(true, "");
    public static Reply Message(string message) => new(true, message);
    public static Reply Fail(string message) => new(false, message);
    public static Envelope<T> Fail<T>(string message) => new(false, message, default);
}
