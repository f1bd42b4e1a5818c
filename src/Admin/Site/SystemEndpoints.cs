using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;
using NewApi.Storage.Setup;
using NewApi.Storage.Users;

namespace NewApi.Admin.Site;

/// <summary>Public system routes: status, setup, uptime and the admin-set content pages.</summary>
public static class SystemEndpoints
{
    public static RouteGroupBuilder MapSystem(this RouteGroupBuilder api)
    {
        api.MapGet("/status", StatusAsync);
        api.MapGet("/setup", GetSetupAsync);
        api.MapPost("/setup", PostSetupAsync);
        api.MapGet("/about", (OptionsStore o) => Api.Ok(o.Current.Get("About")));
        api.MapGet("/notice", (OptionsStore o) => Api.Ok(o.Current.Get("Notice")));
        api.MapGet("/home_page_content", (OptionsStore o) => Api.Ok(HtmlSanitizer.Clean(o.Current.Get("HomePageContent"))));
        api.MapGet("/user-agreement", (OptionsStore o) => Api.Ok(HtmlSanitizer.Clean(o.Current.Get("legal.user_agreement"))));
        api.MapGet("/privacy-policy", (OptionsStore o) => Api.Ok(HtmlSanitizer.Clean(o.Current.Get("legal.privacy_policy"))));
        api.MapGet("/uptime/status", UptimeAsync);
        return api;
    }

    private static async Task<Envelope<JsonObject>> StatusAsync(OptionsStore options, SetupRepository setup, StartTime start,
        CustomOAuthProviderRepository oauth, CancellationToken ct)
    {
        var d = StatusDocument.Build(options.Current, await setup.IsInitialisedAsync(ct), start.UnixSeconds);
        // The login page's buttons for the enabled custom OAuth providers: public fields only, never the secret.
        var enabled = (await oauth.ListAsync(ct)).Where(p => p.Enabled).ToList();
        if (enabled.Count > 0)
        {
            var list = new JsonArray();
            foreach (var p in enabled)
                list.Add((JsonNode)new JsonObject
                {
                    ["id"] = p.Id, ["name"] = p.Name, ["slug"] = p.Slug, ["icon"] = p.Icon, ["client_id"] = p.ClientId,
                    ["authorization_endpoint"] = p.AuthorizationEndpoint, ["scopes"] = p.Scopes,
                });
            d["custom_oauth_providers"] = list;
        }
        return Api.Ok(d);
    }

    private static async Task<Envelope<SetupStatusView>> GetSetupAsync(SetupRepository setup, UserRepository users, CancellationToken ct)
    {
        if (await setup.IsInitialisedAsync(ct)) return Api.Ok(new SetupStatusView(true, null, null));
        return Api.Ok(new SetupStatusView(false, await users.AnyRootAsync(ct), "sqlite"));
    }

    private static async Task<Reply> PostSetupAsync(HttpContext ctx, SetupService service, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AdminJson.Default.SetupRequest, ct);
        if (body is null) return Api.Fail("无效的参数");
        var error = await service.SetupAsync(body.Username ?? "", body.Password ?? "", body.ConfirmPassword ?? "",
            body.SelfUseModeEnabled, body.DemoSiteEnabled, ct);
        return error is null ? Api.Message("系统初始化成功") : Api.Fail(error);
    }

    private static async Task<Envelope<JsonArray>> UptimeAsync(OptionsStore options, UptimeGroups uptime, CancellationToken ct) =>
        Api.Ok(await uptime.FetchAsync(options.Current, ct));
}

/// <summary>Process start, for /api/status start_time.</summary>
public sealed class StartTime(TimeProvider time)
{
    public long UnixSeconds { get; } = time.GetUtcNow().ToUnixTimeSeconds();
}
