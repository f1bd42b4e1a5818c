using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NewApi.Storage.QuotaData;

namespace NewApi.Admin.Data;

/// <summary>
/// Writes <c>{"success":true,"message":"","data":[…]}</c> for the dashboard rows (/api/data/, /users, /self) straight from
/// the query's rows into the response, byte for byte what the source-generated QuotaDataView envelope produces. A month
/// of /users is ~275 000 rows and 50 MB of JSON: copying each row into a view object and a second list first cost more
/// than the query.
/// </summary>
internal sealed class QuotaDataBody(List<QuotaDataRow> rows) : IResult
{
    private const int FlushBytes = 64 * 1024;

    private static readonly JsonEncodedText Success = JsonEncodedText.Encode("success"), Message = JsonEncodedText.Encode("message"),
        Data = JsonEncodedText.Encode("data"), Id = JsonEncodedText.Encode("id"), UserId = JsonEncodedText.Encode("user_id"),
        Username = JsonEncodedText.Encode("username"), ModelName = JsonEncodedText.Encode("model_name"),
        CreatedAt = JsonEncodedText.Encode("created_at"), UseGroup = JsonEncodedText.Encode("use_group"),
        TokenId = JsonEncodedText.Encode("token_id"), ChannelId = JsonEncodedText.Encode("channel_id"),
        NodeName = JsonEncodedText.Encode("node_name"), TokenUsed = JsonEncodedText.Encode("token_used"),
        Count = JsonEncodedText.Encode("count"), Quota = JsonEncodedText.Encode("quota");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var pipe = response.BodyWriter;
        using var w = new Utf8JsonWriter(pipe);
        w.WriteStartObject();
        w.WriteBoolean(Success, true);
        w.WriteString(Message, "");
        w.WriteStartArray(Data);
        foreach (var r in rows)
        {
            WriteRow(w, r);
            if (w.BytesPending < FlushBytes) continue;
            w.Flush();
            await pipe.FlushAsync(ct);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        await pipe.FlushAsync(ct);
    }

    private static void WriteRow(Utf8JsonWriter w, QuotaDataRow r)
    {
        w.WriteStartObject();
        w.WriteNumber(Id, r.Id);
        w.WriteNumber(UserId, r.UserId);
        w.WriteString(Username, r.Username);
        w.WriteString(ModelName, r.ModelName);
        w.WriteNumber(CreatedAt, r.CreatedAt);
        w.WriteString(UseGroup, r.UseGroup);
        w.WriteNumber(TokenId, r.TokenId);
        w.WriteNumber(ChannelId, r.ChannelId);
        w.WriteString(NodeName, r.NodeName);
        w.WriteNumber(TokenUsed, r.TokenUsed);
        w.WriteNumber(Count, r.Count);
        w.WriteNumber(Quota, r.Quota);
        w.WriteEndObject();
    }
}
