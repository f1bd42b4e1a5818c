using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Billing.Ledger;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>The gateway plus a fake provider, with helpers to create users, keys and channels and to read balances after a flush.</summary>
public class RelayFixture : GatewayFixture
{
    private int _seq;

    public FakeUpstream Upstream { get; } = new();

    public override async ValueTask InitializeAsync()
    {
        await Upstream.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    public SqliteDb Db => Services.GetRequiredService<SqliteDb>();
    public QuotaLedger Ledger => Services.GetRequiredService<QuotaLedger>();

    /// <summary>Every answered request's settlement queued (a handler bills after its answer), then written.</summary>
    public async Task FlushAsync()
    {
        await Answered.WhenSettledAsync(TimeSpan.FromSeconds(5));
        await Ledger.FlushAsync();
    }

    public string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref _seq)}";

    public async Task<long> CreateUserAsync(string name, long quota, Role role = Role.User, string group = "default")
    {
        var users = Services.GetRequiredService<UserRepository>();
        return await users.InsertAsync(new UserRepository.NewUser(name, "x", name, role, quota, group), 1);
    }

    /// <summary>Creates a key for the user; returns (token id, "sk-…" key).</summary>
    public async Task<(long Id, string Key)> CreateTokenAsync(long userId, long remain = 0, bool unlimited = true, Func<TokenRow, TokenRow>? edit = null)
    {
        var box = Services.GetRequiredService<SecretBox>();
        var key = RandomStrings.ApiKey();
        var row = new TokenRow
        {
            UserId = userId, KeyHash = box.LookupHash(key), KeyEnc = box.Encrypt(key), Name = Unique("tok"), RemainQuota = remain,
            UnlimitedQuota = unlimited, ExpiredTime = -1, CreatedTime = 1,
        };
        if (edit is not null) row = edit(row);
        var id = await Services.GetRequiredService<TokenRepository>().InsertAsync(row);
        return (id, "sk-" + key);
    }

    public async Task<long> CreateChannelAsync(string models, string key = "key-ok", long priority = 0, long weight = 0, string group = "default",
        ChannelType type = ChannelType.OpenAI, Func<ChannelRow, ChannelRow>? edit = null)
    {
        var box = Services.GetRequiredService<SecretBox>();
        var row = new ChannelRow
        {
            Type = type, KeyEnc = box.Encrypt(key), Name = Unique("ch"), BaseUrl = Upstream.Url, Models = models, Group = group,
            Priority = priority, Weight = weight, CreatedTime = 1, Status = ChannelStatus.Enabled,
        };
        if (edit is not null) row = edit(row);
        return (await Services.GetRequiredService<ChannelRepository>().InsertManyAsync([row]))[0];
    }

    public Task SetOptionAsync(string key, string value) => Services.GetRequiredService<OptionsStore>().SetAsync(key, value);

    /// <summary>A client for <paramref name="key"/>. It never drains an abandoned response, so disposing one closes the connection at once.</summary>
    public HttpClient Client(string key)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<long> ScalarAsync(string sql, params (string, object?)[] args)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.ScalarLongAsync(sql, null, default, args);
    }

    public async Task<(long Quota, long Used, long Requests)> UserAsync(long id)
    {
        await using var conn = await Db.OpenAsync();
        var rows = await conn.QueryAsync("SELECT quota, used_quota, request_count FROM users WHERE id = $id", null,
            r => (r.Long(0), r.Long(1), r.Long(2)), default, ("$id", id));
        return rows.Single();
    }

    public async Task<(long Remain, long Used)> TokenAsync(long id)
    {
        await using var conn = await Db.OpenAsync();
        var rows = await conn.QueryAsync("SELECT remain_quota, used_quota FROM tokens WHERE id = $id", null, r => (r.Long(0), r.Long(1)), default, ("$id", id));
        return rows.Single();
    }

    public async Task<List<LogRow>> LogsAsync(long userId)
    {
        await using var conn = await Db.OpenAsync();
        return await conn.QueryAsync("SELECT " + LogRow.Columns + " FROM logs WHERE user_id = $u ORDER BY id", null, LogRow.Read, default, ("$u", userId));
    }

    public async Task<ChannelRow> ChannelAsync(long id) => (await Services.GetRequiredService<ChannelRepository>().FindAsync(id))!;

    /// <summary>
    /// Waits until <paramref name="userId"/> has <paramref name="requests"/> settled requests (settlements are queued by the
    /// server after the client may already have its answer, e.g. after a disconnect). Flush-driven, bounded.
    /// </summary>
    public async Task WaitSettledAsync(long userId, long requests, long reservationsLeft = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await FlushAsync();
            var (_, _, count) = await UserAsync(userId);
            if (count >= requests && await ScalarAsync("SELECT COUNT(*) FROM quota_reservations WHERE user_id = $u", ("$u", userId)) <= reservationsLeft)
                return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"user {userId} has {count} settled requests, expected {requests}");
            await Task.Yield();
        }
    }

    /// <summary>Waits until no reservation of <paramref name="userId"/> is left (released or settled).</summary>
    public Task WaitReleasedAsync(long userId) => WaitSettledAsync(userId, 0);

    public static JsonElement Parse(string s) => JsonDocument.Parse(s).RootElement.Clone();
}
