using System.Text.Json;
using NewApi.Json;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Pipeline;

/// <summary>Facts a route takes from its URL instead of the body.</summary>
public sealed record PathFacts(string Model, bool Stream);

/// <summary>
/// The parsed client request: the JSON document (kept for prompt estimation and for building the upstream body) and
/// the fields routing and billing need. Validation failures are 400s in OpenAI's error shape, never 5xx.
/// </summary>
public sealed class RelayRequest : IDisposable
{
    private RelayRequest(RouteKind kind, JsonDocument doc, string model, bool rewritesModel, bool? stream)
    {
        Kind = kind;
        Document = doc;
        Model = model;
        RewritesModel = rewritesModel;
        var root = doc.RootElement;
        Stream = stream ?? (root.TryGetProperty("stream"u8, out var s) && s.ValueKind == JsonValueKind.True);
        if (root.TryGetProperty("stream_options"u8, out var so) && so.ValueKind == JsonValueKind.Object)
            ClientWantsUsage = so.TryGetProperty("include_usage"u8, out var iu) && iu.ValueKind == JsonValueKind.True;
        MaxTokens = Math.Max(Math.Max(Long(root, "max_tokens"u8), Long(root, "max_completion_tokens"u8)), Long(root, "max_output_tokens"u8));
        if (root.TryGetProperty("generationConfig"u8, out var gc) && gc.ValueKind == JsonValueKind.Object) MaxTokens = Math.Max(MaxTokens, Long(gc, "maxOutputTokens"u8));
    }

    public RouteKind Kind { get; }
    public JsonDocument Document { get; }
    public JsonElement Root => Document.RootElement;
    /// <summary>The model the client asked for: billed and logged under this name.</summary>
    public string Model { get; }
    public bool Stream { get; }
    /// <summary>stream_options.include_usage as sent; null when the client sent no stream_options (New API then still reports usage).</summary>
    public bool? ClientWantsUsage { get; }
    public long MaxTokens { get; }
    /// <summary>The routing model is not the body's (a route default, or the compact suffix): the upstream body must be rewritten.</summary>
    public bool RewritesModel { get; }
    /// <summary>The multipart form of an upload route (its text fields are also <see cref="Document"/>); null for JSON bodies.</summary>
    public MultipartForm? Form { get; internal set; }
    /// <summary>The route's billing and tap rules, set by the pipeline before billing (null = a plain text route).</summary>
    public RouteRule? Rule { get; internal set; }

    /// <param name="facts">The model and streaming mode when the URL carries them (Gemini's <c>/models/{model}:{action}</c>).</param>
    public static (RelayRequest? Request, RelayError? Error) Parse(RouteKind kind, ReadOnlyMemory<byte> body, PathFacts? facts = null)
    {
        if (!JsonText.StringsDecode(body.Span))
            return (null, RelayError.BadRequest("invalid request body: strings must be valid UTF-8 without unpaired surrogates"));
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return (null, RelayError.BadRequest("invalid request body: not valid JSON"));
        }
        var root = doc.RootElement;
        var error = root.ValueKind != JsonValueKind.Object ? "invalid request body: a JSON object is required" : Validate(kind, root);
        if (error is null && root.TryGetProperty("model"u8, out var m) && m.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            error = "model must be a string";
        if (error is not null)
        {
            doc.Dispose();
            return (null, RelayError.BadRequest(error));
        }
        var model = facts?.Model ?? (root.TryGetProperty("model"u8, out var mv) && mv.ValueKind == JsonValueKind.String ? mv.GetString()! : "");
        var routed = RouteValidation.RoutingModel(kind, model);
        return (new RelayRequest(kind, doc, routed, routed != model, facts?.Stream), null);
    }

    private static string? Validate(RouteKind kind, JsonElement root) => kind switch
    {
        RouteKind.ChatCompletions when !Has(root, "messages"u8, JsonValueKind.Array) && !Has(root, "prefix"u8) && !Has(root, "suffix"u8)
            => "field messages is required",
        RouteKind.Completions when !Has(root, "prompt"u8) => "field prompt is required",
        RouteKind.Embeddings or RouteKind.Moderations when !Has(root, "input"u8) => "field input is required",
        RouteKind.ClaudeMessages when !Has(root, "messages"u8, JsonValueKind.Array) => "messages: field required",
        RouteKind.ClaudeMessages when root.TryGetProperty("max_tokens"u8, out var mt) && mt.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null)
            => "max_tokens: must be an integer",
        RouteKind.GeminiGenerate when !Has(root, "contents"u8, JsonValueKind.Array) => "contents is required",
        _ => RouteValidation.Check(kind, root),
    };

    private static bool Has(JsonElement root, ReadOnlySpan<byte> name, JsonValueKind? kind = null) =>
        root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null && (kind is null || v.ValueKind == kind);

    private static long Long(JsonElement root, ReadOnlySpan<byte> name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;

    public void Dispose()
    {
        Document.Dispose();
        Form?.Dispose();
    }
}
