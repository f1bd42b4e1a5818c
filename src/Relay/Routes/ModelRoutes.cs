using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Billing.Prices;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Routes;

/// <summary>
/// GET /v1/models, /v1/models/{model} and /v1beta/openai/models (relay.md §1.4): the enabled models of the caller's
/// group(s), or the token's allow-list; models without a price are hidden unless self-use mode or the user's
/// accept_unset_model_ratio_model. Anthropic clients (anthropic-version) get Anthropic's shapes, Gemini clients
/// (x-goog-api-key or ?key=) Gemini's.
/// </summary>
public static class ModelRoutes
{
    private const long UnknownCreated = 1_626_777_600;

    public static void MapModelRoutes(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<RelayAuthenticator>();
        var channels = app.Services.GetRequiredService<ChannelCache>();
        var prices = app.Services.GetRequiredService<PriceBook>();
        var groups = app.Services.GetRequiredService<GroupPolicy>();
        RequestDelegate list = ctx => ListAsync(ctx, auth, channels, prices, groups);
        app.MapGet("/v1/models", list);
        app.MapGet("/v1beta/openai/models", list);
        app.MapGet("/v1beta/models", ctx => ListAsync(ctx, auth, channels, prices, groups, gemini: true));
        app.MapGet("/v1beta/models/{model}", ctx => RetrieveGeminiAsync(ctx, auth, channels, prices, groups));
        app.MapGet("/v1/models/{model}", ctx => RetrieveAsync(ctx, auth, channels, prices, groups));
    }

    private static async Task ListAsync(HttpContext ctx, RelayAuthenticator auth, ChannelCache channels, PriceBook prices, GroupPolicy groups,
        bool gemini = false)
    {
        var (caller, error) = await auth.AuthenticateAsync(ctx, ctx.RequestAborted);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, error!, ctx.RequestAborted);
            return;
        }
        var models = Visible(caller, channels.Current, prices.Current, groups);
        gemini |= IsGemini(ctx.Request);
        await WriteAsync(ctx, w => (gemini ? GeminiList : IsAnthropic(ctx.Request) ? (Action<Utf8JsonWriter, IReadOnlyList<string>>)AnthropicList : OpenAiList)(w, models));
    }

    private static async Task RetrieveAsync(HttpContext ctx, RelayAuthenticator auth, ChannelCache channels, PriceBook prices, GroupPolicy groups)
    {
        if (IsGemini(ctx.Request))
        {
            await RetrieveGeminiAsync(ctx, auth, channels, prices, groups);
            return;
        }
        var (caller, error) = await auth.AuthenticateAsync(ctx, ctx.RequestAborted);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, error!, ctx.RequestAborted);
            return;
        }
        var id = (string)ctx.Request.RouteValues["model"]!;
        if (!Visible(caller, channels.Current, prices.Current, groups).Contains(id))
        {
            // NewApi: 404 (New API answered HTTP 200 with this error object).
            await RelayErrorWriter.WriteAsync(ctx, ApiSurface.OpenAi, 404, $"The model '{id}' does not exist", ErrorTypes.InvalidRequest,
                ErrorCodes.ModelNotFound, ctx.RequestAborted);
            return;
        }
        await WriteAsync(ctx, w =>
        {
            if (IsAnthropic(ctx.Request)) AnthropicModel(w, id);
            else OpenAiModel(w, id);
        });
    }

    /// <summary>NewApi: one Gemini model (Google's SDKs and LangChain ask for it); New API had no such route.</summary>
    private static async Task RetrieveGeminiAsync(HttpContext ctx, RelayAuthenticator auth, ChannelCache channels, PriceBook prices, GroupPolicy groups)
    {
        var (caller, error) = await auth.AuthenticateAsync(ctx, ctx.RequestAborted);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, error!, ctx.RequestAborted);
            return;
        }
        var id = (string)ctx.Request.RouteValues["model"]!;
        if (id.StartsWith("models/", StringComparison.Ordinal)) id = id["models/".Length..];
        if (!Visible(caller, channels.Current, prices.Current, groups).Contains(id))
        {
            await RelayErrorResponder.WriteAsync(ctx, RelayError.Local(404, $"models/{id} is not found", ErrorCodes.ModelNotFound), ctx.RequestAborted);
            return;
        }
        await WriteAsync(ctx, w => GeminiModel(w, id));
    }

    public static IReadOnlyList<string> Visible(RelayCaller caller, ChannelSnapshot snapshot, PriceTables prices, GroupPolicy groups)
    {
        var token = caller.Token;
        IEnumerable<string> names;
        if (token.Row.ModelLimitsEnabled) names = token.ModelLimits;
        else
        {
            var from = caller.AutoGroup ? groups.AutoGroupsFor(caller.User.Group) : [caller.Group];
            names = from.SelectMany(g => snapshot.ModelsByGroup.TryGetValue(g, out var m) ? m : []);
        }
        var showUnpriced = prices.SelfUseMode || caller.User.AcceptUnsetModelRatio;
        return names.Distinct(StringComparer.Ordinal).Where(m => showUnpriced || prices.Lookup(m).Configured).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Anthropic's SDKs always send anthropic-version, with the key in x-api-key or (newer versions) as a Bearer
    /// token; New API looked for both headers, so those SDKs got OpenAI's list shape. OpenAI clients send neither.
    /// </summary>
    private static bool IsAnthropic(HttpRequest r) => r.Headers.ContainsKey("anthropic-version");

    /// <summary>
    /// Google's GenAI SDK asks /v1/models (its default API version is v1) with x-goog-api-key, or ?key=: it gets
    /// Gemini's shapes there as on /v1beta/models.
    /// </summary>
    private static bool IsGemini(HttpRequest r) => r.Headers.ContainsKey("x-goog-api-key") || r.Query.ContainsKey("key");

    private static void OpenAiList(Utf8JsonWriter w, IReadOnlyList<string> models)
    {
        w.WriteStartObject();
        w.WriteBoolean("success", true);   // new-api: a non-standard key, kept for its console and scripts
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var m in models) OpenAiModel(w, m);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void OpenAiModel(Utf8JsonWriter w, string id)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "model");
        w.WriteNumber("created", UnknownCreated);
        w.WriteString("owned_by", "custom");
        w.WriteStartArray("supported_endpoint_types");
        w.WriteStringValue("openai");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// Gemini's list shape as New API writes it (bare ids in <c>name</c>); NewApi also states the methods each model
    /// answers, so clients that filter on <c>supportedGenerationMethods</c> see the models.
    /// </summary>
    private static void GeminiList(Utf8JsonWriter w, IReadOnlyList<string> models)
    {
        w.WriteStartObject();
        w.WriteStartArray("models");
        foreach (var m in models) GeminiModel(w, m);
        w.WriteEndArray();
        w.WriteNull("nextPageToken");
        w.WriteEndObject();
    }

    private static void GeminiModel(Utf8JsonWriter w, string id)
    {
        w.WriteStartObject();
        w.WriteString("name", id);
        w.WriteString("displayName", id);
        w.WriteStartArray("supportedGenerationMethods");
        w.WriteStringValue("generateContent");
        w.WriteStringValue("streamGenerateContent");
        w.WriteStringValue("countTokens");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>NewApi: an empty list answers first_id/last_id null (New API crashed on it).</summary>
    private static void AnthropicList(Utf8JsonWriter w, IReadOnlyList<string> models)
    {
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var m in models) AnthropicModel(w, m);
        w.WriteEndArray();
        if (models.Count > 0) w.WriteString("first_id", models[0]); else w.WriteNull("first_id");
        w.WriteBoolean("has_more", false);
        if (models.Count > 0) w.WriteString("last_id", models[^1]); else w.WriteNull("last_id");
        w.WriteEndObject();
    }

    private static void AnthropicModel(Utf8JsonWriter w, string id)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("created_at", DateTimeOffset.FromUnixTimeSeconds(UnknownCreated).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        w.WriteString("display_name", id);
        w.WriteString("type", "model");
        w.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext ctx, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer)) body(w);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }
}
