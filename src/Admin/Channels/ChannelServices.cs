using Microsoft.Extensions.DependencyInjection;
using NewApi.Relay.Probe;

namespace NewApi.Admin.Channels;

public static class ChannelServices
{
    public static IServiceCollection AddChannelAdmin(this IServiceCollection services)
    {
        services.AddSingleton<ChannelProbe>();
        services.AddSingleton<ChannelService>();
        services.AddSingleton<ChannelListing>();
        services.AddSingleton<ChannelBulkService>();
        services.AddSingleton<MultiKeyManager>();
        services.AddSingleton<ChannelTester>();
        services.AddSingleton<ChannelTestRunner>();
        services.AddSingleton<ChannelBalanceService>();
        services.AddSingleton<KeyRevealVerifier>();
        return services;
    }
}
