using Microsoft.Extensions.DependencyInjection;

namespace NewApi.Auth;

public static class AuthServices
{
    public static IServiceCollection AddAuthServices(this IServiceCollection services)
    {
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<SecretBox>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<UserAuthenticator>();
        services.AddSingleton<ClientIpResolver>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<Endpoints.LoginRecorder>();
        return services;
    }
}

