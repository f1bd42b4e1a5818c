using Microsoft.Extensions.DependencyInjection;
using NewApi.Storage.Channels;
using NewApi.Common;
using NewApi.Storage.Logs;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;
using NewApi.Storage.QuotaData;
using NewApi.Storage.Passkeys;
using NewApi.Storage.Setup;
using NewApi.Storage.Tokens;
using NewApi.Storage.TwoFactor;
using NewApi.Storage.Users;

namespace NewApi.Storage;

public static class StorageServices
{
    public static IServiceCollection AddStorage(this IServiceCollection services, string databasePath, int busyTimeoutMs)
    {
        services.AddSingleton(_ => new SqliteDb(databasePath, busyTimeoutMs));
        services.AddSingleton<Migrator>();
        services.AddSingleton<CacheEpoch>();
        services.AddSingleton<OptionsStore>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<TokenRepository>();
        services.AddSingleton<SetupRepository>();
        services.AddSingleton<LogRepository>();
        services.AddSingleton<LogQueryRepository>();
        services.AddSingleton<LogIndexer>();
        services.AddSingleton<QuotaDataRepository>();
        services.AddSingleton<TwoFactorRepository>();
        services.AddSingleton<PasskeyRepository>();
        services.AddSingleton<ExternalIdentityRepository>();
        services.AddSingleton<CustomOAuthProviderRepository>();
        services.AddSingleton<ChannelRepository>();
        services.AddSingleton<ChannelCache>();
        services.AddSingleton<UserGroups>();
        services.AddSingleton<Verification.VerificationCodeRepository>();
        services.AddSingleton<PrefillGroups.PrefillGroupRepository>();
        services.AddSingleton<Checkins.CheckinRepository>();
        services.AddSingleton<IStartupTask, ChannelCacheWarmup>();
        return services;
    }
}

/// <summary>Loads the routing snapshot before the server listens.</summary>
internal sealed class ChannelCacheWarmup(ChannelCache cache) : IStartupTask
{
    public Task RunAsync(CancellationToken ct) => cache.RefreshAsync(ct);
}
