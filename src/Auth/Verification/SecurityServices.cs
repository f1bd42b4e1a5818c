using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth.OAuth;
using NewApi.Auth.Passkeys;
using NewApi.Auth.TwoFactor;

namespace NewApi.Auth.Verification;

/// <summary>Registration and routes of the account-security areas: 2FA, /api/verify, passkeys and third-party sign-in.</summary>
public static class SecurityServices
{
    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        services.AddSingleton<SecurityLog>();
        services.AddSingleton<TwoFactorService>();
        services.AddSingleton<PasskeyService>();
        services.AddOAuth();
        return services;
    }

    public static RouteGroupBuilder MapSecurity(this RouteGroupBuilder api) =>
        api.MapTwoFactor()
           .MapVerify()
           .MapPasskeys()
           .MapOAuth();
}
