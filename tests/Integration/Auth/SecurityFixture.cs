using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NewApi.Storage.Options;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Auth;

/// <summary>The gateway with a fake clock, so 2FA steps, lockouts and ceremony expiry are driven by the test.</summary>
public class SecurityFixture : GatewayFixture
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Time);

    public Task SetOptionAsync(string key, string value) => Services.GetRequiredService<OptionsStore>().SetAsync(key, value);

    /// <summary>Password step only: returns the client (holding the pending session) and the login reply.</summary>
    public async Task<(TestClient Client, JsonElement Body)> PasswordStepAsync(string username, string password = "user-password-123")
    {
        var client = new TestClient(BaseAddress);
        var resp = await client.Http.PostAsJsonAsync("/api/user/login", new { username, password });
        return (client, await TestClient.ReadAsync(resp));
    }

    public static void UseIdentity(TestClient client, long id)
    {
        client.UserId = id;
        client.Http.DefaultRequestHeaders.Remove("New-Api-User");
        client.Http.DefaultRequestHeaders.Add("New-Api-User", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
