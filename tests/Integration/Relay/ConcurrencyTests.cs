using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Billing.Ledger;
using NewApi.Hosting;

namespace NewApi.Tests.Integration.Relay;

/// <summary>Billing under load and across a restart: sums are exact, reservations never leak.</summary>
public sealed class ConcurrencyTests(ConcurrencyTests.Fixture fx) : IClassFixture<ConcurrencyTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public long Channel;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"load-model":2}""");
            await SetOptionAsync("CompletionRatio", """{"load-model":3}""");
            Channel = await CreateChannelAsync("load-model");
        }
    }

    [Fact]
    public async Task TwoHundredConcurrentRequests_AreBilledExactly()
    {
        const int users = 4, perUser = 50;
        var callers = new List<(long User, long Token, HttpClient Http)>();
        for (var i = 0; i < users; i++)
        {
            var user = await fx.CreateUserAsync(fx.Unique("load"), 1_000_000);
            var (token, key) = await fx.CreateTokenAsync(user, remain: 500_000, unlimited: false);
            callers.Add((user, token, fx.Client(key)));
        }
        var tasks = callers.SelectMany(c => Enumerable.Range(0, perUser).Select(async n =>
        {
            var stream = n % 2 == 0;
            var resp = await c.Http.PostAsync("/v1/chat/completions",
                RelayFixture.Json($$"""{"model":"load-model","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"n{{n}}"}]}"""));
            await resp.Content.ReadAsStringAsync();
            return resp.StatusCode;
        })).ToList();
        Assert.All(await Task.WhenAll(tasks), s => Assert.Equal(HttpStatusCode.OK, s));
        foreach (var (user, token, http) in callers)
        {
            await fx.WaitSettledAsync(user, perUser);
            Assert.Equal((1_000_000L - perUser * 54, perUser * 54L, (long)perUser), await fx.UserAsync(user));
            Assert.Equal((500_000L - perUser * 54, perUser * 54L), await fx.TokenAsync(token));
            Assert.Equal(perUser, (await fx.LogsAsync(user)).Count);
            http.Dispose();
        }
        Assert.Equal(users * perUser * 54L, (await fx.ChannelAsync(fx.Channel)).UsedQuota);
        Assert.Equal(users * perUser, await fx.ScalarAsync("SELECT SUM(count) FROM quota_data WHERE model_name = 'load-model'"));
        Assert.Equal(users * perUser * 54L, await fx.ScalarAsync("SELECT SUM(quota) FROM quota_data WHERE model_name = 'load-model'"));
        Assert.Equal(0, await fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
        foreach (var (user, _, _) in callers)
        {
            // The batch writer adds the log summaries itself (no insert trigger): they equal the rows it wrote.
            Assert.Equal(perUser, await fx.ScalarAsync("SELECT SUM(rows) FROM log_daily WHERE user_id = $u AND type = 2", ("$u", user)));
            Assert.Equal(perUser * 54L, await fx.ScalarAsync("SELECT SUM(quota) FROM log_weekly WHERE user_id = $u AND type = 2", ("$u", user)));
        }
        Assert.Equal(await fx.ScalarAsync("SELECT COUNT(*) FROM logs WHERE type = 2"),
            await fx.ScalarAsync("SELECT SUM(rows) FROM log_daily_type WHERE type = 2"));
        // A trigger on log inserts would make every row's insert copy its pages to a statement journal (~100 µs each).
        Assert.Equal(0, await fx.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'logs' AND sql LIKE '%AFTER INSERT%'"));
    }

    [Fact]
    public async Task ReservationsLeftByACrash_AreRefundedAtTheNextStart()
    {
        var user = await fx.CreateUserAsync(fx.Unique("crash"), 100_000);
        var (token, _) = await fx.CreateTokenAsync(user, remain: 40_000, unlimited: false);
        var ledger = fx.Services.GetRequiredService<QuotaLedger>();
        var book = fx.Services.GetRequiredService<BalanceBook>();
        book.SeedUser(user, 100_000, book.CurrentSequence);
        book.SeedToken(token, 40_000, book.CurrentSequence);
        var held = await ledger.HoldAsync(new HoldRequest { RequestId = "crashed", UserId = user, TokenId = token, Amount = 7_000 }, default);
        Assert.Equal(HoldStatus.Held, held.Status);
        Assert.Equal(93_000, (await fx.UserAsync(user)).Quota);
        // The process "dies" here: the hold is never settled. A new process on the same database starts:
        await using (var restarted = await GatewayApp.BuildAsync(fx.Config))
        {
            Assert.Equal(100_000, (await fx.UserAsync(user)).Quota);
            Assert.Equal(40_000, (await fx.TokenAsync(token)).Remain);
            Assert.Equal(0, await fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations WHERE user_id = $u", ("$u", user)));
        }
    }
}
