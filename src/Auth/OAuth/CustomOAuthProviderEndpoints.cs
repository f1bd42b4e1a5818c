using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.OAuth;

namespace NewApi.Auth.OAuth;

/// <summary>/api/custom-oauth-provider/* (Root): CRUD over custom_oauth_providers and an OIDC discovery fetch.</summary>
public static class CustomOAuthProviderEndpoints
{
    public static RouteGroupBuilder MapCustomOAuthProviders(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/custom-oauth-provider").RequireRole(Role.Root);
        g.MapGet("/", ListAsync);
        g.MapGet("/{id:long}", GetAsync);
        g.MapPost("/", CreateAsync);
        g.MapPut("/{id:long}", UpdateAsync);
        g.MapDelete("/{id:long}", DeleteAsync);
        g.MapPost("/discovery", DiscoveryAsync);
        return api;
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);

    private static CustomOAuthProviderView View(CustomOAuthProviderRow r) => new()
    {
        Id = r.Id, Name = r.Name, Slug = r.Slug, Icon = r.Icon, Enabled = r.Enabled, ClientId = r.ClientId,
        AuthorizationEndpoint = r.AuthorizationEndpoint, TokenEndpoint = r.TokenEndpoint, UserInfoEndpoint = r.UserInfoEndpoint, Scopes = r.Scopes,
        UserIdField = r.UserIdField, UsernameField = r.UsernameField, DisplayNameField = r.DisplayNameField, EmailField = r.EmailField,
        AuthStyle = r.AuthStyle, AccessPolicy = r.AccessPolicy,
    };

    private static async Task<IResult> ListAsync(CustomOAuthProviderRepository repo, CancellationToken ct) =>
        Results.Json(Api.Ok((await repo.ListAsync(ct)).Select(View).ToList()), SecurityJson.Default.EnvelopeListCustomOAuthProviderView);

    private static async Task<IResult> GetAsync(long id, CustomOAuthProviderRepository repo, CancellationToken ct) =>
        await repo.FindAsync(id, ct) is { } row
            ? Results.Json(Api.Ok(View(row)), SecurityJson.Default.EnvelopeCustomOAuthProviderView)
            : Fail("未找到该 OAuth 提供商");

    private static async Task<IResult> CreateAsync(HttpContext ctx, CustomOAuthProviderRepository repo, SecretBox box, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CustomOAuthProviderRequest, ct);
        if (body is null) return Fail("无效的参数");
        var error = await ValidateAsync(body, 0, repo, ct);
        if (error is not null) return Fail(error);
        var row = ToRow(body, box.Encrypt(body.ClientSecret ?? ""));
        var id = await repo.InsertAsync(row, time.UnixSeconds(), ct);
        return Results.Json(Api.Ok(View(row with { Id = id })), SecurityJson.Default.EnvelopeCustomOAuthProviderView);
    }

    private static async Task<IResult> UpdateAsync(long id, HttpContext ctx, CustomOAuthProviderRepository repo, SecretBox box, TimeProvider time,
        CancellationToken ct)
    {
        var existing = await repo.FindAsync(id, ct);
        if (existing is null) return Fail("未找到该 OAuth 提供商");
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CustomOAuthProviderRequest, ct);
        if (body is null) return Fail("无效的参数");
        var error = await ValidateAsync(body, id, repo, ct);
        if (error is not null) return Fail(error);
        // The secret is write-only: an empty value keeps the stored one.
        var secret = string.IsNullOrEmpty(body.ClientSecret) ? existing.ClientSecret : box.Encrypt(body.ClientSecret);
        var row = ToRow(body, secret) with { Id = id };
        await repo.UpdateAsync(row, time.UnixSeconds(), ct);
        return Results.Json(Api.Ok(View(row)), SecurityJson.Default.EnvelopeCustomOAuthProviderView);
    }

    private static async Task<IResult> DeleteAsync(long id, CustomOAuthProviderRepository repo, CancellationToken ct) =>
        await repo.DeleteAsync(id, ct) switch
        {
            null => Fail("Cannot delete provider with existing user bindings"),
            false => Fail("未找到该 OAuth 提供商"),
            true => Results.Json(Api.Ok(), AdminJson.Default.Reply),
        };

    /// <summary>Fetches a discovery document (through the guarded client) so the console can fill the endpoints.</summary>
    private static async Task<IResult> DiscoveryAsync(HttpContext ctx, OAuthHttp http, CancellationToken ct)
    {
        var body = await JsonBody.ReadElementAsync(ctx.Request, ct);
        if (body is not { ValueKind: JsonValueKind.Object } b) return Fail("无效的参数");
        var wellKnown = OAuthCalls.Field(b, "well_known_url").Trim();
        var issuer = OAuthCalls.Field(b, "issuer_url").Trim();
        if (wellKnown.Length == 0 && issuer.Length == 0) return Fail("请先填写 Discovery URL 或 Issuer URL");
        var target = wellKnown.Length > 0 ? wellKnown : issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            return Fail("Discovery URL 无效，仅支持 http/https");
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            var reply = await http.SendAsync(req, "OIDC", ct);
            if (reply.Status != 200 || JsonNode.Parse(reply.Body) is not JsonObject discovery) return Fail("获取 Discovery 配置失败");
            var data = new JsonObject { ["well_known_url"] = target, ["discovery"] = discovery };
            return Results.Json(Api.Ok(data), AdminJson.Default.EnvelopeJsonObject);
        }
        catch (Exception e) when (e is OAuthException or JsonException)
        {
            return Fail("获取 Discovery 配置失败: " + e.Message);
        }
    }

    private static async Task<string?> ValidateAsync(CustomOAuthProviderRequest b, long id, CustomOAuthProviderRepository repo, CancellationToken ct)
    {
        var slug = b.Slug?.Trim() ?? "";
        if (string.IsNullOrWhiteSpace(b.Name)) return "Provider name cannot be empty";
        if (slug.Length is 0 or > 64 || !slug.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_')) return "Slug 只能包含小写字母、数字、- 和 _";
        if (OAuthProviderRegistry.Reserved.Contains(slug)) return "该 Slug 与内置 OAuth 提供商冲突";
        if (await repo.SlugTakenAsync(slug, id, ct)) return "该 Slug 已被使用";
        foreach (var url in new[] { b.AuthorizationEndpoint, b.TokenEndpoint, b.UserInfoEndpoint })
            if (!string.IsNullOrWhiteSpace(url) && !(Uri.TryCreate(url.Trim(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)))
                return "端点地址无效，仅支持 http/https";
        if (b.AuthStyle is < 0 or > 2) return "auth_style 无效";
        return null;
    }

    private static CustomOAuthProviderRow ToRow(CustomOAuthProviderRequest b, string secretEnc) => new()
    {
        Name = b.Name!.Trim(), Slug = b.Slug!.Trim(), Icon = b.Icon ?? "", Enabled = b.Enabled, ClientId = b.ClientId?.Trim() ?? "",
        ClientSecret = secretEnc, AuthorizationEndpoint = b.AuthorizationEndpoint?.Trim() ?? "", TokenEndpoint = b.TokenEndpoint?.Trim() ?? "",
        UserInfoEndpoint = b.UserInfoEndpoint?.Trim() ?? "", Scopes = string.IsNullOrWhiteSpace(b.Scopes) ? "openid profile email" : b.Scopes.Trim(),
        UserIdField = Or(b.UserIdField, "sub"), UsernameField = Or(b.UsernameField, "preferred_username"),
        DisplayNameField = Or(b.DisplayNameField, "name"), EmailField = Or(b.EmailField, "email"), AuthStyle = b.AuthStyle,
        AccessPolicy = b.AccessPolicy?.Trim() ?? "",
    };

    private static string Or(string? v, string fallback) => string.IsNullOrWhiteSpace(v) ? fallback : v.Trim();
}
