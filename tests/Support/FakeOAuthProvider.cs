using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NewApi.Tests.Support;

/// <summary>
/// In-process identity providers on 127.0.0.1:0 (GitHub, Discord, Linux DO, OIDC with discovery, a generic provider and a
/// WeChat server). A test registers the user a code stands for; the token endpoint answers "tok-{code}" and the
/// user endpoint answers that user. Every request is recorded so tests can check what the gateway sent.
/// </summary>
public sealed class FakeOAuthProvider : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly ConcurrentDictionary<string, JsonObject> _users = new(StringComparer.Ordinal);

    public string BaseUrl { get; private set; } = "";
    public string WeChatToken { get; set; } = "wechat-server-token";
    public ConcurrentQueue<Recorded> Requests { get; } = new();

    public sealed record Recorded(string Path, string Method, IReadOnlyDictionary<string, string> Form, string Authorization, string Query);

    /// <summary>The user the provider reports for <paramref name="code"/>.</summary>
    public void AddUser(string code, JsonObject user) => _users[code] = user;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        foreach (var p in new[] { "github", "discord", "linuxdo", "oidc", "custom" })
        {
            _app.MapPost($"/{p}/token", (Delegate)TokenAsync);
            _app.MapGet($"/{p}/user", (Delegate)UserAsync);
        }
        _app.MapGet("/oidc/.well-known/openid-configuration", () => Results.Text(new JsonObject
        {
            ["issuer"] = BaseUrl + "/oidc",
            ["authorization_endpoint"] = BaseUrl + "/oidc/authorize",
            ["token_endpoint"] = BaseUrl + "/oidc/token",
            ["userinfo_endpoint"] = BaseUrl + "/oidc/user",
        }.ToJsonString(), "application/json"));
        _app.MapGet("/wechat/api/wechat/user", (Delegate)WeChat);
        _app.MapGet("/wechat-redirect/api/wechat/user", (HttpContext ctx) => Results.Redirect(BaseUrl + "/wechat/api/wechat/user" + ctx.Request.QueryString));
        await _app.StartAsync();
        BaseUrl = _app.Urls.First().TrimEnd('/');
    }

    private async Task<IResult> TokenAsync(HttpContext ctx)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ctx.Request.HasFormContentType)
            foreach (var (k, v) in await ctx.Request.ReadFormAsync()) form[k] = v.ToString();
        else if (JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync()) is JsonObject json)
            foreach (var (k, v) in json) form[k] = v?.ToString() ?? "";
        Record(ctx, form);
        var code = form.GetValueOrDefault("code", "");
        return _users.ContainsKey(code)
            ? Results.Text(new JsonObject { ["access_token"] = "tok-" + code, ["token_type"] = "Bearer" }.ToJsonString(), "application/json")
            : Results.Text("""{"error":"invalid_grant","error_description":"bad code"}""", "application/json", statusCode: 400);
    }

    private IResult UserAsync(HttpContext ctx)
    {
        Record(ctx, new Dictionary<string, string>());
        var auth = ctx.Request.Headers.Authorization.ToString();
        var code = auth.StartsWith("Bearer tok-", StringComparison.Ordinal) ? auth["Bearer tok-".Length..] : "";
        return _users.TryGetValue(code, out var user) ? Results.Text(user.ToJsonString(), "application/json") : Results.StatusCode(401);
    }

    private IResult WeChat(HttpContext ctx)
    {
        Record(ctx, new Dictionary<string, string>());
        if (ctx.Request.Headers.Authorization.ToString() != WeChatToken)
            return Results.Text("""{"success":false,"message":"bad token","data":""}""", "application/json");
        var code = ctx.Request.Query["code"].ToString();
        return Results.Text(new JsonObject { ["success"] = true, ["message"] = "", ["data"] = code.Length > 0 ? "wx-" + code : "" }.ToJsonString(),
            "application/json");
    }

    private void Record(HttpContext ctx, Dictionary<string, string> form) =>
        Requests.Enqueue(new Recorded(ctx.Request.Path.Value ?? "", ctx.Request.Method, form, ctx.Request.Headers.Authorization.ToString(),
            ctx.Request.QueryString.Value ?? ""));

    public Recorded? Last(string path) => Requests.LastOrDefault(r => r.Path == path);

    public static string Basic(string user, string secret) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + secret));

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
