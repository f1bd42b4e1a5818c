using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NewApi.Admin.Groups;
using NewApi.Auth.Email;
using NewApi.Auth.Registration;
using NewApi.Relay.Http;

namespace NewApi.Admin.Users;

/// <summary>Accounts: registration, e-mail codes, admin user management, groups, check-in and self-service.</summary>
public static class AccountServices
{
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddSingleton<SmtpMailer>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<MailOutbox>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MailOutbox>());
        services.AddSingleton<VerificationCodes>();
        services.AddSingleton<AccountCreator>();
        // Cloudflare's siteverify is a fixed, trusted destination; tests replace this registration with a local fake.
        services.AddSingleton(sp => new TurnstileSiteVerify(sp.GetRequiredService<OutboundHttp>().Trusted, TurnstileSiteVerify.Cloudflare));
        services.AddSingleton<TurnstileVerifier>();
        services.AddSingleton<IDefaultTokenIssuer, DefaultTokenIssuer>();
        services.AddSingleton<ManageLog>();
        services.AddSingleton<UserManageService>();
        services.AddSingleton<CheckinCalendar>();
        return services;
    }

    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder api) =>
        api.MapRegistration()
           .MapEmail()
           .MapUserAdmin()
           .MapSelfService()
           .MapCheckin()
           .MapGroups();
}
