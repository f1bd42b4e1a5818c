using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NewApi.Tests.Support;

/// <summary>
/// An in-process provider on 127.0.0.1:0 speaking minimal OpenAI (chat, completions, embeddings, models), Claude
/// (/v1/messages) and Gemini (generateContent / streamGenerateContent, embedContent / batchEmbedContents) shapes. The behaviour of one request is chosen
/// by the upstream key (a channel key such as <c>key-500</c>) or by the header <c>X-Fake-Fault</c> (set through a
/// channel's header_override): see <see cref="FakeFault"/>. Every request is recorded with its headers and body.
/// </summary>
public sealed partial class FakeUpstream : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _aborted;
    private TaskCompletionSource _abortSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>Base URL without a trailing slash, as a channel's base_url.</summary>
    public string Url => BaseAddress.ToString().TrimEnd('/');

    /// <summary>Text pieces a completion answers with; the stream sends one piece per chunk.</summary>
    public string[] ReplyPieces { get; set; } = ["Hello", " from", " the", " fake", " upstream"];
    public int PromptTokens { get; set; } = 12;
    public int CompletionTokens { get; set; } = 5;
    /// <summary>Cached prompt tokens reported in usage.prompt_tokens_details.cached_tokens (0 = not reported).</summary>
    public int CachedTokens { get; set; }
    /// <summary>Delay before the response headers for the <see cref="FakeFault.Slow"/> fault.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>Value of the X-Oneapi-Request-Id header the fake answers with (the upstream is "another New API").</summary>
    public string UpstreamRequestId { get; set; } = "upstream-req-1";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];
    public int AbortedCount => Volatile.Read(ref _aborted);

    public void Reset()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _aborted, 0);
        _abortSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Completes when a request was cancelled by the caller (client left, gateway gave up) since the last <see cref="Reset"/>.</summary>
    public Task WaitForAbortAsync(TimeSpan timeout) => _abortSignal.Task.WaitAsync(timeout);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.WebSockets.IsWebSocketRequest)
        {
            if (FaultOf(ctx) is FakeFault.Status401 or FakeFault.Status500)
            {
                ctx.Response.StatusCode = FaultOf(ctx) == FakeFault.Status401 ? 401 : 500;   // refused before the upgrade
                return;
            }
            await RealtimeAsync(ctx);
            return;
        }
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
        body.Position = 0;
        ctx.Request.Body = body;   // the media routes read forms from it
        var recorded = new RecordedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString,
            ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Encoding.UTF8.GetString(body.ToArray()));
        _requests.Enqueue(recorded);
        ctx.Response.Headers["X-Oneapi-Request-Id"] = UpstreamRequestId;
        try
        {
            await DispatchAsync(ctx, recorded, FaultOf(ctx));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _aborted);
            _abortSignal.TrySetResult();
        }
        catch (IOException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _aborted);
            _abortSignal.TrySetResult();
        }
    }

    private async Task DispatchAsync(HttpContext ctx, RecordedRequest req, FakeFault fault)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (await TryFailAsync(ctx, path, fault)) return;
        if (fault == FakeFault.Slow) await Task.Delay(SlowDelay, ctx.RequestAborted);
        JsonNode? json = req.Body.Length > 0 && req.Body.TrimStart().StartsWith('{') ? JsonNode.Parse(req.Body) : null;
        var model = json?["model"]?.GetValue<string>() ?? ModelFromGeminiPath(path) ?? "fake-model";
        var stream = json?["stream"]?.GetValue<bool>() == true;
        var includeUsage = json?["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        if (await TryToolCallAsync(ctx, path, json, model, stream, includeUsage)) return;
        if (await TryMediaAsync(ctx, path, json, model, stream, fault)) return;
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
            await (stream ? StreamChatAsync(ctx, model, includeUsage, fault) : fault == FakeFault.Cut ? CutJsonAsync(ctx, ChatBody(model)) : WriteJsonAsync(ctx, ChatBody(model)));
        else if (path.EndsWith("/completions", StringComparison.Ordinal))
            await (stream ? StreamCompletionAsync(ctx, model, includeUsage, fault) : WriteJsonAsync(ctx, CompletionBody(model)));
        else if (path.EndsWith("/embeddings", StringComparison.Ordinal))
            await WriteJsonAsync(ctx, EmbeddingBody(model, json));
        else if (path.EndsWith("/models", StringComparison.Ordinal))
            await WriteJsonAsync(ctx, ModelsBody());
        else if (path.EndsWith("/messages", StringComparison.Ordinal))
            await (stream ? StreamClaudeAsync(ctx, model, fault) : fault == FakeFault.Cut ? CutJsonAsync(ctx, ClaudeBody(model)) : WriteJsonAsync(ctx, ClaudeBody(model)));
        else if (IsGeminiEmbed(path))
            await WriteJsonAsync(ctx, GeminiEmbedBody(path, json));
        else if (path.Contains(":streamGenerateContent", StringComparison.Ordinal))
            await StreamGeminiAsync(ctx, model, fault);
        else if (path.Contains(":generateContent", StringComparison.Ordinal))
            await WriteJsonAsync(ctx, GeminiBody(model, ReplyText, withUsage: true));
        else
        {
            ctx.Response.StatusCode = 404;
            await WriteJsonAsync(ctx, """{"error":{"message":"unknown fake route","type":"invalid_request_error","code":"not_found"}}""", 404);
        }
    }

    private string ReplyText => string.Concat(ReplyPieces);

    private static FakeFault FaultOf(HttpContext ctx)
    {
        var header = ctx.Request.Headers["X-Fake-Fault"].ToString();
        if (header.Length > 0) return Parse(header);
        var key = ctx.Request.Headers.Authorization.ToString();
        if (key.StartsWith("Bearer ", StringComparison.Ordinal)) key = key[7..];
        if (key.Length == 0) key = ctx.Request.Headers["x-api-key"].ToString();
        if (key.Length == 0) key = ctx.Request.Headers["x-goog-api-key"].ToString();
        if (key.Length == 0) key = ctx.Request.Headers["api-key"].ToString();
        if (key.Length == 0) key = ctx.Request.Query["key"].ToString();
        return key.StartsWith("key-", StringComparison.Ordinal) ? Parse(key[4..]) : FakeFault.None;
    }

    private static FakeFault Parse(string s) => s switch
    {
        "500" => FakeFault.Status500,
        "429" => FakeFault.Status429,
        "401" => FakeFault.Status401,
        "400" => FakeFault.Status400,
        "slow" => FakeFault.Slow,
        "stall" => FakeFault.Stall,
        "cut" => FakeFault.Cut,
        "malformed" => FakeFault.Malformed,
        "nousage" => FakeFault.NoUsage,
        _ => FakeFault.None,
    };

    /// <summary>Answers a status fault in the error shape of the route's dialect (Claude and Gemini have their own).</summary>
    private static async Task<bool> TryFailAsync(HttpContext ctx, string path, FakeFault fault)
    {
        var (status, body) = fault switch
        {
            FakeFault.Status500 => (500, """{"error":{"message":"upstream exploded at http://10.1.2.3:8080/internal","type":"server_error","code":"internal"}}"""),
            FakeFault.Status429 => (429, """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"""),
            // Echoes the credential like OpenAI does, and carries an auto-disable keyword.
            FakeFault.Status401 => (401, """{"error":{"message":"Incorrect API key provided: key-401. You exceeded your current quota.","type":"invalid_request_error","code":"invalid_api_key"}}"""),
            FakeFault.Status400 => (400, """{"error":{"message":"bad parameter","type":"invalid_request_error","param":"messages","code":"bad_param"}}"""),
            _ => (0, ""),
        };
        if (status == 0) return false;
        await WriteJsonAsync(ctx, InDialect(path, status, body), status);
        return true;
    }

    private static string InDialect(string path, int status, string openAiError)
    {
        var error = JsonNode.Parse(openAiError)!["error"]!;
        var message = Str(error["message"]!.GetValue<string>());
        if (path.EndsWith("/messages", StringComparison.Ordinal))
        {
            var type = status switch { 429 => "rate_limit_error", 401 => "authentication_error", 400 => "invalid_request_error", _ => "api_error" };
            return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + message + "}}";
        }
        if (!path.Contains(":generateContent", StringComparison.Ordinal) && !path.Contains(":streamGenerateContent", StringComparison.Ordinal)) return openAiError;
        var statusName = status switch { 429 => "RESOURCE_EXHAUSTED", 401 => "UNAUTHENTICATED", 400 => "INVALID_ARGUMENT", _ => "INTERNAL" };
        return "{\"error\":{\"code\":" + status + ",\"message\":" + message + ",\"status\":\"" + statusName + "\"}}";
    }

    /// <summary>A JSON answer that promises all of <paramref name="json"/> (Content-Length) and drops the connection halfway.</summary>
    private static async Task CutJsonAsync(HttpContext ctx, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        await Task.Delay(TimeSpan.FromMilliseconds(200), ctx.RequestAborted);   // let the half leave before the abort drops it
        ctx.Abort();
    }

    private static async Task WriteJsonAsync(HttpContext ctx, string json, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(json, ctx.RequestAborted);
    }

    private static string? ModelFromGeminiPath(string path)
    {
        var i = path.IndexOf("/models/", StringComparison.Ordinal);
        if (i < 0) return null;
        var rest = path[(i + 8)..];
        var colon = rest.IndexOf(':');
        return colon > 0 ? rest[..colon] : null;
    }
}

/// <summary>What the fake does with one request.</summary>
public enum FakeFault
{
    None,
    /// <summary>500 with an error body that names an internal address.</summary>
    Status500,
    Status429,
    /// <summary>401 whose message echoes the key and contains an auto-disable keyword.</summary>
    Status401,
    Status400,
    /// <summary>Waits <see cref="FakeUpstream.SlowDelay"/> before answering.</summary>
    Slow,
    /// <summary>Streams two chunks, then goes silent until the caller gives up.</summary>
    Stall,
    /// <summary>Streams two chunks, then drops the connection; a JSON answer is cut halfway (Content-Length promised in full).</summary>
    Cut,
    /// <summary>Streams a frame that is not JSON among valid ones, no usage.</summary>
    Malformed,
    /// <summary>A stream that ends with [DONE] but never reports usage.</summary>
    NoUsage,
}

public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
