using System.Net;
using System.Text.Json;

namespace NewApi.Tests.Integration.Relay;

/// <summary>Assertions on relay answers shared by the route tests.</summary>
public static class RelayAssert
{
    /// <summary>An OpenAI-shaped error with this status whose message contains <paramref name="message"/>.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage resp, HttpStatusCode status, string message)
    {
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(status == resp.StatusCode, $"expected {(int)status}, got {(int)resp.StatusCode}: {text}");
        var error = RelayFixture.Parse(text).GetProperty("error");
        Assert.Contains(message, error.GetProperty("message").GetString());
        return error;
    }

    public static JsonElement Other(string other) => RelayFixture.Parse(other);

    /// <summary>
    /// The user's consume logs once <paramref name="count"/> are written. The client can hold a complete answer before
    /// the gateway queues its settlement (it settles after the last byte), so this flushes until the rows are there.
    /// </summary>
    public static async Task<List<NewApi.Storage.Logs.LogRow>> LogsAsync(RelayFixture fx, long userId, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await fx.FlushAsync();
            var logs = (await fx.LogsAsync(userId)).Where(l => l.Type == NewApi.Common.LogType.Consume).ToList();
            if (logs.Count >= count || DateTime.UtcNow > deadline) return logs;
            await Task.Delay(10);
        }
    }
}
