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
    private RelayRequest(RouteKind kind, JsonDocument doc, in RootFields root, string model, bool rewritesModel, bool? stream)
    {
        Kind = kind;
        Document = doc;
        Model = model;
        RewritesModel = rewritesModel;
        Present = root.Present;
        Stream = stream ?? root.Stream.ValueKind == JsonValueKind.True;
        if (root.StreamOptions.ValueKind == JsonValueKind.Object)
            ClientWantsUsage = root.StreamOptions.TryGetProperty("include_usage"u8, out var iu) && iu.ValueKind == JsonValueKind.True;
        MaxTokens = Math.Max(Math.Max(Long(root.MaxTokens), Long(root.MaxCompletionTokens)), Long(root.MaxOutputTokens));
        if (root.GenerationConfig.ValueKind == JsonValueKind.Object && root.GenerationConfig.TryGetProperty("maxOutputTokens"u8, out var mo))
            MaxTokens = Math.Max(MaxTokens, Long(mo));
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
        string? error;
        var fields = default(RootFields);
        if (root.ValueKind != JsonValueKind.Object) error = "invalid request body: a JSON object is required";
        else
        {
            fields = RootFields.Read(root);
            error = Validate(kind, root, fields);
            if (error is null && fields.Model.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.String or JsonValueKind.Null))
                error = "model must be a string";
        }
        if (error is not null)
        {
            doc.Dispose();
            return (null, RelayError.BadRequest(error));
        }
        var model = facts?.Model ?? (fields.Model.ValueKind == JsonValueKind.String ? fields.Model.GetString()! : "");
        var routed = RouteValidation.RoutingModel(kind, model);
        return (new RelayRequest(kind, doc, fields, routed, routed != model, facts?.Stream), null);
    }

    private static string? Validate(RouteKind kind, JsonElement root, in RootFields f) => kind switch
    {
        RouteKind.ChatCompletions when !Is(f.Messages, JsonValueKind.Array) && !Is(f.Prefix) && !Is(f.Suffix)
            => "field messages is required",
        RouteKind.Completions when !Is(f.Prompt) => "field prompt is required",
        RouteKind.Embeddings or RouteKind.Moderations when !Is(f.Input) => "field input is required",
        RouteKind.ClaudeMessages when !Is(f.Messages, JsonValueKind.Array) => "messages: field required",
        RouteKind.ClaudeMessages when f.MaxTokens.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Number or JsonValueKind.Null)
            => "max_tokens: must be an integer",
        RouteKind.GeminiGenerate when !Is(f.Contents, JsonValueKind.Array) => "contents is required",
        _ => RouteValidation.Check(kind, root),
    };

    /// <summary>Present and not null (and of <paramref name="kind"/> when given).</summary>
    private static bool Is(JsonElement v, JsonValueKind? kind = null) =>
        v.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null) && (kind is null || v.ValueKind == kind);

    private static long Long(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;

    public void Dispose()
    {
        Document.Dispose();
        Form?.Dispose();
    }
}
