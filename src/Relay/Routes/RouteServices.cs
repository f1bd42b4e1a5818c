using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Realtime;
using NewApi.Relay.Routing;
using NewApi.Relay.Streaming;

namespace NewApi.Relay.Routes;

/// <summary>Services and routes of the media, Responses, playground, realtime and dashboard-billing routes.</summary>
public static class RouteServices
{
    public static IServiceCollection AddRelayRoutes(this IServiceCollection services)
    {
        services.AddSingleton<ResponseAffinity>();
        services.AddSingleton<ConvertedResponseStore>();
        services.AddSingleton<RouteRules>();
        services.AddSingleton<MediaRelay>();
        services.AddSingleton<UploadRelay>();
        services.AddSingleton<StoredResponses>();
        services.AddSingleton<Playground>();
        services.AddSingleton<DashboardBilling>();
        services.AddSingleton<RealtimeConnector>();
        services.AddSingleton<RealtimeBilling>();
        services.AddSingleton<RealtimeProxy>();
        return services;
    }

    public static void MapRelayRoutes(this WebApplication app)
    {
        app.MapMediaRoutes();
        app.MapResponseRoutes();
        app.MapPlaygroundRoutes();
        app.MapDashboardBillingRoutes();
        app.MapRealtime();
    }
}
