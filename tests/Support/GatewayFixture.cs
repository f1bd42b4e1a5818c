using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Config;
using NewApi.Hosting;

namespace NewApi.Tests.Support;

/// <summary>
/// The real gateway (same GatewayApp as `newapi serve`) on 127.0.0.1:0 with a temp data directory. One per test
/// class; <see cref="ConfigureConfig"/> lets a class change settings before start.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string RootName = "root";
    public const string RootPassword = "root-password-123";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("newapi-test-");
    private TestClient? _root;

    public WebApplication App { get; private set; } = null!;
    public GatewayConfig Config { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string DataDir => _dir.FullName;
    public IServiceProvider Services => App.Services;

    protected virtual void ConfigureConfig(GatewayConfig config) { }
    protected virtual void ConfigureServices(IServiceCollection services) { }

    public virtual async ValueTask InitializeAsync()
    {
        Config = TestConfig.Create(_dir.FullName);
        ConfigureConfig(Config);
        App = await GatewayApp.BuildAsync(Config, services =>
        {
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new AnsweredRequests.Filter(Answered));
            ConfigureServices(services);
        });
        await App.StartAsync();
        BaseAddress = new Uri(GatewayApp.BoundAddress(App));
    }

    public virtual async ValueTask DisposeAsync()
    {
        _root?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { _dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>Requests whose answer has started but whose handler has not returned yet (billing runs after the answer).</summary>
    public AnsweredRequests Answered { get; } = new();

    public HttpClient Anonymous() => new(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = BaseAddress };

    /// <summary>Completes setup (once) and returns a logged-in root client.</summary>
    public async Task<TestClient> RootAsync()
    {
        if (_root is not null) return _root;
        using var anon = Anonymous();
        var setup = await anon.PostAsJsonAsync("/api/setup", new { username = RootName, password = RootPassword, confirmPassword = RootPassword });
        var body = await setup.Content.ReadFromJsonAsync<JsonElement>();
        if (!body.GetProperty("success").GetBoolean() && body.GetProperty("message").GetString() != "系统已经初始化完成")
            throw new InvalidOperationException("setup failed: " + body);
        _root = await LoginAsync(RootName, RootPassword);
        return _root;
    }

    public async Task<TestClient> LoginAsync(string username, string password)
    {
        var client = new TestClient(BaseAddress);
        var resp = await client.Http.PostAsJsonAsync("/api/user/login", new { username, password });
        var body = await resp.Content.ReadFromJsonAsync<JsonElement>();
        if (!body.GetProperty("success").GetBoolean()) throw new InvalidOperationException($"login {username} failed: {body}");
        client.UserId = body.GetProperty("data").GetProperty("id").GetInt64();
        client.Http.DefaultRequestHeaders.Add("New-Api-User", client.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return client;
    }

    /// <summary>Creates a user straight through the repository (role as given) and logs it in.</summary>
    public async Task<TestClient> UserAsync(string username, Common.Role role = Common.Role.User, long quota = 0, string password = "user-password-123")
    {
        var users = Services.GetRequiredService<Storage.Users.UserRepository>();
        var hasher = Services.GetRequiredService<Auth.PasswordHasher>();
        await users.InsertAsync(new Storage.Users.UserRepository.NewUser(username, hasher.Hash(password), username, role, quota, "default"),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return await LoginAsync(username, password);
    }
}

public static class TestConfig
{
    public static GatewayConfig Create(string dataDir)
    {
        var c = new GatewayConfig();
        c.Server.Listen = "127.0.0.1:0";
        c.Server.DataDir = dataDir;
        c.Server.ShutdownTimeout = 5;
        c.Security.PasswordIterations = 1000;
        c.RateLimit.GlobalApi = 100_000;
        c.RateLimit.GlobalWeb = 100_000;
        c.RateLimit.Critical = 100_000;
        c.RateLimit.Search = 100_000;
        c.Log.Level = "warn";
        return c;
    }
}

/// <summary>An authenticated management client: session cookie plus the New-Api-User header.</summary>
public sealed class TestClient : IDisposable
{
    public TestClient(Uri baseAddress)
    {
        Http = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = Cookies }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; }
    public long UserId { get; set; }

    public async Task<JsonElement> GetAsync(string path)
    {
        var resp = await Http.GetAsync(path);
        return await ReadAsync(resp);
    }

    public async Task<JsonElement> PostAsync(string path, object body) => await ReadAsync(await Http.PostAsJsonAsync(path, body));
    public async Task<JsonElement> PutAsync(string path, object body) => await ReadAsync(await Http.PutAsJsonAsync(path, body));
    public async Task<JsonElement> DeleteAsync(string path) => await ReadAsync(await Http.DeleteAsync(path));

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage resp)
    {
        var text = await resp.Content.ReadAsStringAsync();
        if (text.Length == 0) return default;
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => Http.Dispose();
}

public static class JsonAssert
{
    public static void Success(JsonElement body) =>
        Assert.True(body.GetProperty("success").GetBoolean(), "expected success, got: " + body);

    public static void Failure(JsonElement body) =>
        Assert.False(body.GetProperty("success").GetBoolean(), "expected failure, got: " + body);
}

/// <summary>
/// Counts requests that have begun answering and are still in their handler. A client can read a whole answer before
/// the server has queued that request's settlement; a test that checks billing right after a response waits for
/// this to reach zero first (bounded, so a stream a test holds open on purpose only delays it).
/// </summary>
public sealed class AnsweredRequests
{
    private readonly object _gate = new();
    private int _count;
    private TaskCompletionSource _idle = Completed();

    private static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }

    public async Task WhenSettledAsync(TimeSpan max)
    {
        Task idle;
        lock (_gate) idle = _idle.Task;
        try { await idle.WaitAsync(max); }
        catch (TimeoutException) { }
    }

    private void Started()
    {
        lock (_gate)
            if (_count++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void Ended()
    {
        lock (_gate)
            if (--_count == 0) _idle.TrySetResult();
    }

    internal sealed class Filter(AnsweredRequests tracker) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                var started = 0;
                ctx.Response.OnStarting(() =>
                {
                    if (Interlocked.Exchange(ref started, 1) == 0) tracker.Started();
                    return Task.CompletedTask;
                });
                try
                {
                    await nextMiddleware(ctx);
                }
                finally
                {
                    if (Interlocked.Exchange(ref started, 2) == 1) tracker.Ended();
                }
            });
            next(app);
        };
    }
}
