using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewApi.Auth.Registration;
using NewApi.Config;
using NewApi.Hosting;
using NewApi.Storage.Options;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>
/// The gateway wired to a fake SMTP server (STARTTLS, self-signed certificate) and a fake Turnstile siteverify, with
/// 127.0.0.1 as a trusted proxy so each test can act from its own client IP (X-Forwarded-For) under per-IP limits.
/// </summary>
public class AccountFixture : GatewayFixture
{
    public const string GoodTurnstileToken = "turnstile-pass";
    private WebApplication? _turnstile;

    public FakeSmtpServer Smtp { get; } = new(FakeSmtpMode.StartTls, FakeSmtpServer.CreateSelfSignedCertificate());
    public Uri TurnstileUrl { get; private set; } = null!;
    public int TurnstileCalls;

    protected override void ConfigureConfig(GatewayConfig config) => config.Server.TrustedProxies = ["127.0.0.1"];

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(_ => new TurnstileSiteVerify(new HttpClient(), TurnstileUrl));

    public override async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _turnstile = builder.Build();
        _turnstile.MapPost("/siteverify", async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref TurnstileCalls);
            var form = await ctx.Request.ReadFormAsync();
            var ok = form["secret"] == "turnstile-secret" && form["response"] == GoodTurnstileToken;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(ok ? """{"success":true}""" : """{"success":false,"error-codes":["invalid-input-response"]}""");
        });
        await _turnstile.StartAsync();
        TurnstileUrl = new Uri(GatewayApp.BoundAddress(_turnstile) + "/siteverify");
        await base.InitializeAsync();
        await SetOptionsAsync(new()
        {
            ["SMTPServer"] = "127.0.0.1", ["SMTPPort"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SMTPAccount"] = "mailer@example.com", ["SMTPToken"] = "smtp-secret", ["SMTPFrom"] = "noreply@example.com",
            ["SMTPStartTLSEnabled"] = "true", ["SMTPInsecureSkipVerify"] = "true", ["ServerAddress"] = "https://gw.example.com",
            ["TurnstileSecretKey"] = "turnstile-secret", ["TurnstileSiteKey"] = "site-key",
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_turnstile is not null) await _turnstile.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public Task SetOptionsAsync(Dictionary<string, string> values) =>
        Services.GetRequiredService<OptionsStore>().SetManyAsync(values.ToList());

    /// <summary>An anonymous client that appears to come from <paramref name="ip"/>.</summary>
    public HttpClient AnonymousFrom(string ip)
    {
        var http = Anonymous();
        http.DefaultRequestHeaders.Add("X-Forwarded-For", ip);
        return http;
    }

    public static async Task<JsonElement> PostJsonAsync(HttpClient http, string path, object body) =>
        await TestClient.ReadAsync(await http.PostAsJsonAsync(path, body));

    public static async Task<JsonElement> GetJsonAsync(HttpClient http, string path) => await TestClient.ReadAsync(await http.GetAsync(path));

    /// <summary>Asks for a verification code and reads it out of the mail the fake SMTP server received.</summary>
    public async Task<string> RequestCodeAsync(HttpClient http, string email)
    {
        var sent = await GetJsonAsync(http, "/api/verification?email=" + Uri.EscapeDataString(email));
        JsonAssert.Success(sent);
        var mail = await Smtp.NextAsync();
        Assert.Equal([email], mail.To);
        return Regex.Match(mail.Body, "<strong>([0-9a-f]{6})</strong>").Groups[1].Value;
    }

    public static string Ip(int n) => "10.9." + (n / 250) + "." + (n % 250 + 1);
}
