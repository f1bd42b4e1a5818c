using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NewApi.Tests.Integration.Admin;

/// <summary>
/// A minimal upstream for the channel tests: a Kestrel on 127.0.0.1:0 answering scripted JSON per path, recording
/// every request. <see cref="Gate"/> can hold chat completions open until a test releases them.
/// </summary>
public sealed class ChannelUpstreamStub : IAsyncLifetime
{
    private WebApplication? _app;

    public sealed record Recorded(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);

    public sealed record Scripted(int Status, string Body, string ContentType = "application/json");

    public ConcurrentQueue<Recorded> Requests { get; } = new();
    public ConcurrentDictionary<string, Scripted> Routes { get; } = new(StringComparer.Ordinal);
    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, requests to <see cref="GatedPath"/> wait for it before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }
    public string GatedPath { get; set; } = "/v1/chat/completions";
    /// <summary>Signalled when a gated request has arrived.</summary>
    public TaskCompletionSource GateReached { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public const string ChatOk = """{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":2,"total_tokens":10}}""";

    public void Reset()
    {
        Routes.Clear();
        while (Requests.TryDequeue(out _)) { }
        Gate = null;
        Routes["/v1/chat/completions"] = new(200, ChatOk);
        Routes["/v1/embeddings"] = new(200, """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":2,"total_tokens":2}}""");
        Routes["/v1/messages"] = new(200, """{"id":"m1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":9,"output_tokens":3}}""");
        Routes["/v1beta/models/gemini-2.0-flash:generateContent"] = new(200, """{"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":5}}""");
        Routes["/v1/models"] = new(200, """{"object":"list","data":[{"id":"gpt-a","object":"model"},{"id":"gpt-b","object":"model"}]}""");
        Routes["/v1beta/models"] = new(200, """{"models":[{"name":"models/gemini-2.0-flash"},{"name":"models/gemini-2.5-pro"}]}""");
        Routes["/api/tags"] = new(200, """{"models":[{"name":"llama3:8b"},{"name":"qwen2:7b"}]}""");
        Routes["/v1/dashboard/billing/subscription"] = new(200, """{"object":"billing_subscription","has_payment_method":true,"hard_limit_usd":120.5}""");
        Routes["/v1/dashboard/billing/usage"] = new(200, """{"object":"list","total_usage":2050}""");
        Routes["/api/v1/credits"] = new(200, """{"data":{"total_credits":50,"total_usage":12.25}}""");
        Routes["/user/balance"] = new(200, """{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"73.00","granted_balance":"0","topped_up_balance":"73.00"}]}""");
        Routes["/v1/user/info"] = new(200, """{"code":20000,"message":"OK","status":true,"data":{"totalBalance":"14.6"}}""");
        Routes["/v1/users/me/balance"] = new(200, """{"code":0,"data":{"available_balance":36.5,"voucher_balance":0,"cash_balance":36.5},"scode":"0x0","status":true}""");
    }

    public Recorded Last(string path) => Requests.Last(r => r.Path == path);

    public async ValueTask InitializeAsync()
    {
        Reset();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        BaseUrl = _app.Urls.First().TrimEnd('/');
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var path = ctx.Request.Path.Value ?? "";
        Requests.Enqueue(new Recorded(ctx.Request.Method, path, ctx.Request.QueryString.Value ?? "", headers, body));
        if (Gate is { } gate && path == GatedPath)
        {
            GateReached.TrySetResult();
            await gate.Task;
        }
        if (!Routes.TryGetValue(path, out var scripted))
        {
            ctx.Response.StatusCode = 404;
            await ctx.Response.WriteAsync("""{"error":{"message":"no such route","type":"invalid_request_error"}}""");
            return;
        }
        ctx.Response.StatusCode = scripted.Status;
        ctx.Response.ContentType = scripted.ContentType;
        await ctx.Response.WriteAsync(scripted.Body);
    }

    public async ValueTask DisposeAsync()
    {
        Gate?.TrySetResult();
        if (_app is not null) await _app.DisposeAsync();
    }
}
