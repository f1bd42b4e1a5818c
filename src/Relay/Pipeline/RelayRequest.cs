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
    private RelayRequest(RouteKind kind, ReadOnlyMemory<byte> body, JsonDocument? doc, in RootFields root, string model, bool rewritesModel,
        bool? stream)
    {
        Kind = kind;
        _body = body;
        _document = doc;
        Model = model;
        RewritesModel = rewritesModel;
        Present = root.Present;
        Stream = stream ?? root.Stream == JsonValueKind.True;
        if (root.StreamOptions == JsonValueKind.Object) ClientWantsUsage = root.IncludeUsage;
        MaxTokens = Math.Max(Math.Max(Math.Max(root.MaxTokensValue, root.MaxCompletionTokens), root.MaxOutputTokens), root.GenerationMaxOutputTokens);
    }

    private readonly ReadOnlyMemory<byte> _body;
    private JsonDocument? _document;

    public RouteKind Kind { get; }
    /// <summary>
    /// The body as a document, parsed on first use (the body was checked to be JSON already): a request relayed as sent,
    /// billed by the upstream's usage, never needs one. The body's memory outlives the request (its owner disposes it after).
    /// </summary>
    public JsonDocument Document
    {
        get
        {
            if (Volatile.Read(ref _document) is { } doc) return doc;
            var parsed = JsonDocument.Parse(_body);
            var won = Interlocked.CompareExchange(ref _document, parsed, null);
            if (won is null) return parsed;
            parsed.Dispose();
            return won;
        }
    }

    public JsonElement Root => Document.RootElement;
    /// <summary>The model the client asked for: billed and logged under this name.</summary>
    public string Model { get; }
    public bool Stream { get; }
    /// <summary>stream_options.include_usage as sent; null when the client sent no stream_options (New API then still reports usage).</summary>
    public bool? ClientWantsUsage { get; }
    public long MaxTokens { get; }
    /// <summary>Which of the top-level fields that routing and the adapters ask about the body carries (any value, null included).</summary>
    public RootField Present { get; }
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
        RootFields fields;
        JsonDocument? doc = null;
        string? error;
        try
        {
            if (!RootFields.TryRead(body.Span, out fields)) return (null, RelayError.BadRequest("invalid request body: a JSON object is required"));
            // Routes whose own rules read more of the body parse it now; the others only if something asks later.
            if (RouteValidation.Checks(kind)) doc = JsonDocument.Parse(body);
            error = Validate(kind, doc, fields);
        }
        catch (JsonException)
        {
            doc?.Dispose();
            return (null, RelayError.BadRequest("invalid request body: not valid JSON"));
        }
        if (error is null && fields.Model is not (JsonValueKind.Undefined or JsonValueKind.String or JsonValueKind.Null))
            error = "model must be a string";
        if (error is not null)
        {
            doc?.Dispose();
            return (null, RelayError.BadRequest(error));
        }
        var model = facts?.Model ?? fields.ModelText ?? "";
        var routed = RouteValidation.RoutingModel(kind, model);
        return (new RelayRequest(kind, body, doc, fields, routed, routed != model, facts?.Stream), null);
    }

    private static string? Validate(RouteKind kind, JsonDocument? doc, in RootFields f) => kind switch
    {
        RouteKind.ChatCompletions when !Is(f.Messages, JsonValueKind.Array) && !Is(f.Prefix) && !Is(f.Suffix)
            => "field messages is required",
        RouteKind.Completions when !Is(f.Prompt) => "field prompt is required",
        RouteKind.Embeddings or RouteKind.Moderations when !Is(f.Input) => "field input is required",
        RouteKind.ClaudeMessages when !Is(f.Messages, JsonValueKind.Array) => "messages: field required",
        RouteKind.ClaudeMessages when f.MaxTokens is not (JsonValueKind.Undefined or JsonValueKind.Number or JsonValueKind.Null)
            => "max_tokens: must be an integer",
        RouteKind.GeminiGenerate when !Is(f.Contents, JsonValueKind.Array) => "contents is required",
        _ when doc is not null => RouteValidation.Check(kind, doc.RootElement),
        _ => null,
    };

    /// <summary>Present and not null (and of <paramref name="kind"/> when given).</summary>
    private static bool Is(JsonValueKind v, JsonValueKind? kind = null) =>
        v is not (JsonValueKind.Undefined or JsonValueKind.Null) && (kind is null || v == kind);

    public void Dispose()
    {
        Interlocked.Exchange(ref _document, null)?.Dispose();
        Form?.Dispose();
    }
}
