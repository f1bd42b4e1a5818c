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
        services.AddSingleton<IStartupTask, TokenizerWarmup>();
        services.AddSingleton<TokenLimiter>();
        services.AddSingleton<ModelRequestLimiter>();
        return services;
    }
}

/// <summary>Loads the tokenizer vocabularies in the background so the first request does not pay for it.</summary>
internal sealed class TokenizerWarmup(TokenCounter counter) : IStartupTask
{
    public Task RunAsync(CancellationToken ct)
    {
        _ = Task.Run(counter.Warm, CancellationToken.None);
        return Task.CompletedTask;
    }
}
