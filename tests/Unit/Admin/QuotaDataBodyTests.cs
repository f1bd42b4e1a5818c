using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NewApi.Admin.Data;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.QuotaData;

namespace NewApi.Tests.Unit.Admin;

/// <summary>The dashboard rows' hand-written JSON is byte for byte the source-generated QuotaDataView envelope.</summary>
public sealed class QuotaDataBodyTests
{
    private static async Task<(string Body, string? ContentType)> WriteAsync(List<QuotaDataRow> rows)
    {
        var ctx = new DefaultHttpContext();
        using var body = new MemoryStream();
        ctx.Response.Body = body;
        await new QuotaDataBody(rows).ExecuteAsync(ctx);
        await ctx.Response.BodyWriter.CompleteAsync();
        return (Encoding.UTF8.GetString(body.ToArray()), ctx.Response.ContentType);
    }

    private static string Generated(List<QuotaDataRow> rows) => JsonSerializer.Serialize(Api.Ok(rows.Select(r => new QuotaDataView
    {
        Id = r.Id, UserId = r.UserId, Username = r.Username, ModelName = r.ModelName, CreatedAt = r.CreatedAt, UseGroup = r.UseGroup,
        TokenId = r.TokenId, ChannelId = r.ChannelId, NodeName = r.NodeName, TokenUsed = r.TokenUsed, Count = r.Count, Quota = r.Quota,
    }).ToList()), LogJson.Default.EnvelopeListQuotaDataView);

    [Fact]
    public async Task Rows_AreWrittenLikeTheSerializer()
    {
        // Names the encoder escapes (non-ASCII, HTML-sensitive, quotes, control characters) and extreme numbers.
        var rows = new List<QuotaDataRow>
        {
            new() { Username = "alice", CreatedAt = 1_700_002_800, Count = 3, Quota = 15, TokenUsed = 160 },
            new() { Id = 7, UserId = 9, Username = "用户<&>'\"\\\n\u0001", ModelName = "gpt-4o+mini é", CreatedAt = 1, UseGroup = "vip",
                TokenId = 4, ChannelId = -2, NodeName = "节点", TokenUsed = long.MaxValue, Count = long.MinValue, Quota = -1 },
            new() { Username = "🙂", ModelName = "" },
        };
        var (body, contentType) = await WriteAsync(rows);
        Assert.Equal(Generated(rows), body);
        Assert.Equal("application/json; charset=utf-8", contentType);
    }

    [Fact]
    public async Task ManyRows_SpanSeveralFlushes()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => new QuotaDataRow { Username = "user" + i, CreatedAt = 3600L * i, Count = i, Quota = 2L * i }).ToList();
        Assert.Equal(Generated(rows), (await WriteAsync(rows)).Body);
        Assert.Equal("""{"success":true,"message":"","data":[]}""", (await WriteAsync([])).Body);
    }
}
