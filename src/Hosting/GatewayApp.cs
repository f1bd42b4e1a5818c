using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NewApi.Admin;
using NewApi.Auth;
using NewApi.Auth.Verification;
using NewApi.Billing;
using NewApi.Config;
using NewApi.Json;
using NewApi.Relay;
using NewApi.Storage;

namespace NewApi.Hosting;

/// <summary>Composition root: the same code path for `newapi serve`, the integration tests and the e2e binary.</summary>
public static class GatewayApp
{
    public static async Task<WebApplication> BuildAsync(GatewayConfig config, Action<IServiceCollection>? configure = null,
        CancellationToken ct = default)
    {
        SecretBootstrap.Apply(config);
        // The configuration is TOML (ConfigLoader); the host's optional appsettings*.json files are not reloaded on change.
        // Reloading watched the content root (the binary's directory) and everything under it: with the data directory there
        // (/opt/newapi/newapi and /opt/newapi/data), every WAL write woke a watcher thread.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevels.Parse(config.Log.Level));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Request start/stop lines are never written; with this logger enabled the host also built an Activity per request.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        ConfigValidator.TryParseListen(config.Server.Listen, out var address, out var port);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = (long)config.Relay.MaxRequestBodyMb * 1024 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            if (address.Equals(IPAddress.Loopback) && config.Server.Listen.StartsWith("localhost", StringComparison.OrdinalIgnoreCase))
                k.ListenLocalhost(port);
            else
                k.Listen(address, port);
        });
        InlineIo.Configure(builder.WebHost, config.Server.InlineIo);
        if (config.Server.FrontIo && Front.FrontServer.Supported)
            builder.Services.AddSingleton<IServer>(sp => new Front.FrontServer(sp, config.Server.InlineIo, Math.Max(1, Environment.ProcessorCount),
                config.Server.FrontSpinUs));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(config.Server.ShutdownTimeout));
        builder.Services.ConfigureHttpJsonOptions(o => 
        {
            // Typed handler results are serialised with these options (not the context's own): keep New API's snake_case
            // and raw UTF-8 text, as the console expects.
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, TokenJson.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ChannelJson.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, LogJson.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, AccountJson.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, SecurityJson.Default);
        });

        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(config.Server);
        builder.Services.AddSingleton(config.Database);
        builder.Services.AddSingleton(config.Security);
        builder.Services.AddSingleton(config.RateLimit);
        builder.Services.AddSingleton(config.Relay);
        builder.Services.AddSingleton(config.Log);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStorage(ConfigLoader.DatabasePath(config), config.Database.BusyTimeoutMs);
        builder.Services.AddAuthServices();
        builder.Services.AddBilling();
        builder.Services.AddRelay();
        builder.Services.AddAdmin();
        builder.Services.AddSecurity();
        builder.Services.AddSingleton<ConsoleAssets>();
        builder.Services.AddHostedService<IdleTrim>();
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        await StartupTasks.RunAsync(app.Services, ct);
        Pipeline.Configure(app, config);
        return app;
    }

    /// <summary>The URL Kestrel actually bound (port 0 resolved).</summary>
    public static string BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
    }
}

public static class LogLevels
{
    public static LogLevel Parse(string s) => s.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "none" => LogLevel.None,
        _ => LogLevel.Information,
    };
}
