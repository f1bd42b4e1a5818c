using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using NewApi.Auth.OAuth;

namespace NewApi.Tests.Unit.Auth;

public sealed class OAuthPolicyTests
{
    private static JsonElement User(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("""{"conditions":[{"field":"team","op":"eq","value":"core"}]}""", true)]
    [InlineData("""{"conditions":[{"field":"team","op":"ne","value":"core"}]}""", false)]
    [InlineData("""{"conditions":[{"field":"level","op":"gte","value":3}]}""", true)]
    [InlineData("""{"conditions":[{"field":"level","op":"gt","value":3}]}""", false)]
    [InlineData("""{"conditions":[{"field":"groups","op":"contains","value":"admins"}]}""", true)]
    [InlineData("""{"conditions":[{"field":"team","op":"in","value":["core","ops"]}]}""", true)]
    [InlineData("""{"conditions":[{"field":"team","op":"not_in","value":["core","ops"]}]}""", false)]
    [InlineData("""{"conditions":[{"field":"missing","op":"not_exists"}]}""", true)]
    [InlineData("""{"logic":"or","conditions":[{"field":"team","op":"eq","value":"x"},{"field":"level","op":"eq","value":3}]}""", true)]
    [InlineData("""{"logic":"and","conditions":[{"field":"team","op":"eq","value":"core"}],"groups":[{"conditions":[{"field":"org.name","op":"eq","value":"acme"}]}]}""", true)]
    [InlineData("""{"conditions":[{"field":"team","op":"regex","value":"."}]}""", false)]
    [InlineData("""not json""", false)]
    [InlineData("""{}""", false)]
    public void AccessPolicy_Evaluates_AndFailsClosed(string policy, bool allowed) =>
        Assert.Equal(allowed, AccessPolicy.Allows(policy, User("""{"team":"core","level":3,"groups":["admins","dev"],"org":{"name":"acme"}}""")));

    [Fact]
    public void Field_ReadsDottedPaths_AndNumbers()
    {
        var u = User("""{"data":{"id":42,"name":"n"}}""");
        Assert.Equal("42", OAuthCalls.Field(u, "data.id"));
        Assert.Equal("n", OAuthCalls.Field(u, "data.name"));
        Assert.Equal("", OAuthCalls.Field(u, "data.none"));
    }

    private static IQueryCollection Query(Dictionary<string, string> fields, string token)
    {
        var check = string.Join('\n', fields.OrderBy(k => k.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(token)), Encoding.UTF8.GetBytes(check)));
        var all = fields.ToDictionary(kv => kv.Key, kv => new StringValues(kv.Value));
        all["hash"] = hash;
        return new QueryCollection(all);
    }

    [Fact]
    public void Telegram_Hash_AndAuthDate()
    {
        var fields = new Dictionary<string, string> { ["id"] = "1", ["auth_date"] = "1000", ["username"] = "u" };
        Assert.Equal(TelegramLogin.Check.Ok, TelegramLogin.Verify(Query(fields, "bot:token"), "bot:token", 1000 + 60, out var id));
        Assert.Equal("1", id);
        Assert.Equal(TelegramLogin.Check.Invalid, TelegramLogin.Verify(Query(fields, "bot:other"), "bot:token", 1000, out _));
        Assert.Equal(TelegramLogin.Check.Stale, TelegramLogin.Verify(Query(fields, "bot:token"), "bot:token", 1000 + 86_401, out _));
        Assert.Equal(TelegramLogin.Check.Stale, TelegramLogin.Verify(Query(fields, "bot:token"), "bot:token", 1000 - 3600, out _));
        Assert.Equal(TelegramLogin.Check.Invalid, TelegramLogin.Verify(Query(fields, "bot:token"), "", 1000, out _));
    }
}
