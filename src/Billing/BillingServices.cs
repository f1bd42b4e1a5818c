using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NewApi.Billing.Ledger;
using NewApi.Billing.Limits;
using NewApi.Billing.Prices;
using NewApi.Billing.Tokens;
using NewApi.Common;

namespace NewApi.Billing;

public static class BillingServices
{
    public static IServiceCollection AddBilling(this IServiceCollection services)
    {
        services.AddSingleton<PriceBook>();
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<BalanceBook>();
        services.AddSingleton<QuotaLedger>();
        services.AddSingleton<LedgerWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<IStartupTask, ReservationRecovery>();
        services.AddSingleton<TokenLimiter>();
        services.AddSingleton<ModelRequestLimiter>();
        return services;
    }
}
