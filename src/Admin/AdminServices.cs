using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Admin.Channels;
using NewApi.Admin.Data;
using NewApi.Admin.Logs;
using NewApi.Admin.Options;
using NewApi.Admin.Site;
using NewApi.Admin.Tokens;
using NewApi.Admin.Users;
using NewApi.Auth.Endpoints;
using NewApi.Auth.Verification;

namespace NewApi.Admin;

public static class AdminServices
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<SetupService>();
        services.AddSingleton<StartTime>();
        services.AddSingleton<UptimeGroups>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<OptionValidator>();
        services.AddChannelAdmin();
        services.AddSingleton<LogFormatter>();
        services.AddAccounts();
        services.AddSingleton(sp => new NewApi.Auth.OAuth.OAuthHttp(sp.GetRequiredService<NewApi.Relay.Http.OutboundHttp>().Guarded));
        return services;
    }

    /// <summary>Every /api resource, composed in one place (each resource maps its own routes).</summary>
    public static RouteGroupBuilder MapAdmin(this RouteGroupBuilder api)
    {
        // One resource per line (merge-friendly); order does not matter.
        api.MapSystem();
        api.MapLogin();
        api.MapUserSelf();
        api.MapTokens();
        api.MapOptions();
        api.MapChannels();
        api.MapLogs();
        api.MapData();
        api.MapAccounts();
        api.MapSecurity();
        return api;
    }
}
