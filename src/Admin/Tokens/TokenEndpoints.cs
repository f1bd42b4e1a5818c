using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;
using NewApi.Storage.Tokens;

namespace NewApi.Admin.Tokens;

/// <summary>/api/token/* (UserAuth; always the caller's own tokens).</summary>
public static class TokenEndpoints
{
    public static RouteGroupBuilder MapTokens(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/token").RequireRole(Role.User);
        tokens.MapGet("/", ListAsync);
        tokens.MapGet("/search", SearchAsync).RateLimited(RateLimitKind.Search);
        tokens.MapGet("/{id:long}", GetAsync);
        tokens.MapPost("/", CreateAsync);
        tokens.MapPut("/", UpdateAsync);
        tokens.MapDelete("/{id:long}", DeleteAsync);
        tokens.MapPost("/batch", BatchDeleteAsync);
        tokens.MapPost("/{id:long}/key", RevealAsync).RateLimited(RateLimitKind.Critical).AddEndpointFilter(NoStore);
        tokens.MapPost("/batch/keys", RevealManyAsync).RateLimited(RateLimitKind.Critical).AddEndpointFilter(NoStore);
        api.MapGet("/usage/token", TokenUsageEndpoint.GetAsync).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static ValueTask<object?> NoStore(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var h = ctx.HttpContext.Response.Headers;
        h.CacheControl = "no-store, no-cache, must-revalidate, private, max-age=0";
        h.Pragma = "no-cache";
        h.Expires = "0";
        return next(ctx);
    }

    private static async Task<Envelope<Page<TokenView>>> ListAsync(HttpContext ctx, TokenRepository repo, TokenService service, CancellationToken ct)
    {
        var page = Paging.From(ctx.Request);
        var (items, total) = await repo.ListAsync(ctx.CurrentUser().Id, page, ct);
        return Api.Ok(new Page<TokenView>(page.Page, page.PageSize, total, items.Select(t => service.ToView(t)).ToList()));
    }

    private static async Task<IResult> SearchAsync(HttpContext ctx, TokenRepository repo, TokenService service, OptionsStore options,
        SecretBox box, CancellationToken ct)
    {
        var user = ctx.CurrentUser();
        var page = Paging.From(ctx.Request);
        var keyword = ctx.Request.Query["keyword"].ToString().Trim();
        var token = ctx.Request.Query["token"].ToString().Trim();
        if (token.StartsWith("sk-", StringComparison.Ordinal)) token = token[3..];
        var max = options.Current.GetLong("token_setting.max_user_tokens", 1000);
        var allowWildcards = await repo.CountForUserAsync(user.Id, ct) <= max;
        var (pattern, isLike, error) = keyword.Length > 0 ? TokenService.BuildPattern(keyword, allowWildcards) : (null, false, null);
        if (error is not null) return Json(Api.Fail(error));
        // Keys are stored as HMACs, so a key search is an exact match on the whole key.
        var keyHash = token.Length > 0 ? box.LookupHash(token.Split('-')[0]) : null;
        var (items, total) = await repo.SearchAsync(user.Id, pattern, isLike, keyHash, page, ct);
        return Results.Json(Api.Ok(new Page<TokenView>(page.Page, page.PageSize, total, items.Select(t => service.ToView(t)).ToList())),
            TokenJson.Default.EnvelopePageTokenView);
    }

    private static async Task<IResult> GetAsync(long id, HttpContext ctx, TokenRepository repo, TokenService service, CancellationToken ct) =>
        await repo.FindAsync(id, ctx.CurrentUser().Id, ct) is { } row
            ? Results.Json(Api.Ok(service.ToView(row)), TokenJson.Default.EnvelopeTokenView)
            : Json(Api.Fail("令牌不存在"));

    private static async Task<Reply> CreateAsync(HttpContext ctx, TokenService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, TokenJson.Default.TokenRequest, ct);
        if (body is null) return Api.Fail("无效的参数");
        var (_, _, error) = await service.CreateAsync(ctx.CurrentUser().Id, body, ct);
        return error is null ? Api.Ok() : Api.Fail(error);
    }

    private static async Task<IResult> UpdateAsync(HttpContext ctx, TokenService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, TokenJson.Default.TokenRequest, ct);
        if (body is null) return Json(Api.Fail("无效的参数"));
        var statusOnly = ctx.Request.Query.ContainsKey("status_only");
        var (row, error) = await service.UpdateAsync(ctx.CurrentUser().Id, body, statusOnly, ct);
        return row is null ? Json(Api.Fail(error ?? "无效的参数")) : Results.Json(Api.Ok(service.ToView(row)), TokenJson.Default.EnvelopeTokenView);
    }

    private static async Task<Reply> DeleteAsync(long id, HttpContext ctx, TokenRepository repo, TimeProvider time, CancellationToken ct) =>
        await repo.SoftDeleteAsync(ctx.CurrentUser().Id, [id], time.GetUtcNow(), ct) > 0 ? Api.Ok() : Api.Fail("令牌不存在");

    private static async Task<IResult> BatchDeleteAsync(HttpContext ctx, TokenRepository repo, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, TokenJson.Default.IdsRequest, ct);
        if (body?.Ids is not { Count: > 0 } ids) return Json(Api.Fail("无效的参数"));
        var n = await repo.SoftDeleteAsync(ctx.CurrentUser().Id, ids.Distinct().ToList(), time.GetUtcNow(), ct);
        return Results.Json(Api.Ok(n), AdminJson.Default.EnvelopeInt32);
    }

    private static async Task<IResult> RevealAsync(long id, HttpContext ctx, TokenRepository repo, TokenService service, CancellationToken ct) =>
        await repo.FindAsync(id, ctx.CurrentUser().Id, ct) is { } row
            ? Results.Json(Api.Ok(new TokenKeyView(service.Reveal(row))), TokenJson.Default.EnvelopeTokenKeyView)
            : Json(Api.Fail("令牌不存在"));

    private static async Task<IResult> RevealManyAsync(HttpContext ctx, TokenRepository repo, TokenService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, TokenJson.Default.IdsRequest, ct);
        if (body?.Ids is not { Count: > 0 and <= 100 } ids) return Json(Api.Fail("ids 数量必须在 1 到 100 之间"));
        var rows = await repo.FindManyAsync(ctx.CurrentUser().Id, ids.Distinct().ToList(), ct);
        var keys = rows.ToDictionary(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), service.Reveal);
        return Results.Json(Api.Ok(new TokenKeysView(keys)), TokenJson.Default.EnvelopeTokenKeysView);
    }

    private static IResult Json(Reply r) => Results.Json(r, AdminJson.Default.Reply);
}
