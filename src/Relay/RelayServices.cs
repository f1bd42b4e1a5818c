using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Config;
using NewApi.Relay.Auth;
using NewApi.Relay.Http;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Routes;
using NewApi.Relay.Routing;
using NewApi.Relay.Streaming;
using NewApi.Relay.Tokens;
using NewApi.Storage.Options;

namespace NewApi.Relay;

public static class RelayServices
{
    public static IServiceCollection AddRelay(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<OptionsStore>();
            return new SsrfPolicy
            {
                AllowPrivate = () => !options.Current.GetBool("fetch_setting.enable_ssrf_protection") || options.Current.GetBool("fetch_setting.allow_private_ip"),
                AllowedPorts = () => ParsePorts(options.Current.Get("fetch_setting.allowed_ports")),
            };
        });
        services.AddSingleton(sp => new OutboundHttp(sp.GetRequiredService<SsrfPolicy>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<RelaySection>().ConnectTimeout)));
        services.AddSingleton<RelayIdentityCache>();
        services.AddSingleton<GroupPolicy>();
        services.AddSingleton<RelayAuthenticator>();
        services.AddHostedService<CacheEpochWatcher>();
        services.AddSingleton<IRandomSource, SharedRandomSource>();
        services.AddSingleton<ChannelSelector>();
        services.AddSingleton<ChannelRuntimes>();
        services.AddSingleton<RelayPolicy>();
        services.AddSingleton<ChannelDisabler>();
        services.AddSingleton<PromptEstimator>();
        services.AddSingleton<SseRelay>();
        services.AddSingleton<ResponseRelay>();
        services.AddSingleton<Formats.ConvertedCallBuilder>();
        services.AddSingleton<Formats.ConvertedRelay>();
        services.AddSingleton<RelayBilling>();
        services.AddSingleton<RelayLimits>();
        services.AddSingleton<AttemptRunner>();
        services.AddSingleton<ErrorLog>();
        services.AddSingleton<AttemptLoop>();
        services.AddSingleton<RelayPipeline>();
        services.AddRelayRoutes();
        return services;
    }

    private static int[]? ParsePorts(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return null;
            var list = new List<int>();
            foreach (var e in doc.RootElement.EnumerateArray())
                if (int.TryParse(e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText(), out var p)) list.Add(p);
            return [.. list];
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
