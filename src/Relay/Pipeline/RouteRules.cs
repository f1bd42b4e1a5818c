using NewApi.Billing.Tokens;
using NewApi.Relay.Routes;
using NewApi.Relay.Routing;

namespace NewApi.Relay.Pipeline;

/// <summary>Makes the <see cref="RouteRule"/> of a request: a static switch over the route kind (no reflection).</summary>
public sealed class RouteRules(TokenCounter counter, ResponseAffinity affinity)
{
    public RouteRule? For(RelayRequest request) => request.Kind switch
    {
        RouteKind.ImageGenerations or RouteKind.ImageEdits => ImageRule.From(counter, request),
        RouteKind.AudioSpeech => new SpeechRule(counter, RouteValidation.Str(request.Root, "response_format")),
        RouteKind.AudioTranscription or RouteKind.AudioTranslation => new TranscriptionRule(),
        RouteKind.Responses => new ResponsesRule(affinity),
        RouteKind.Rerank => new RerankRule(counter),
        _ => null,
    };
}
