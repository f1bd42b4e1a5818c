using System.Text;
using System.Text.Json;
using NewApi.Billing.Tokens;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Routing;
using NewApi.Relay.Streaming;

namespace NewApi.Relay.Routes;

/// <summary>/v1/responses: Responses usage and text; the id of a served response is remembered for GET/DELETE /v1/responses/{id}.</summary>
internal sealed class ResponsesRule(ResponseAffinity affinity) : RouteRule
{
    private ResponsesUsageTap? _tap;

    public override IUsageTap CreateTap(RelayRequest request) => _tap = new ResponsesUsageTap();

    public override void Settled(RelayContext rc, ServedBy served)
    {
        if (_tap is { ResponseId.Length: > 0 } tap) affinity.Remember(tap.ResponseId, rc.Caller.User.Id, served.Channel.Id, served.KeyIndex);
    }
}

/// <summary>/v1/rerank: Jina/Cohere usage; the estimate is the query plus every document's text.</summary>
internal sealed class RerankRule(TokenCounter counter) : RouteRule
{
    public override IUsageTap CreateTap(RelayRequest request) => new RerankUsageTap();

    public override int? EstimatePrompt(RelayContext rc)
    {
        var root = rc.Request.Root;
        var text = new StringBuilder(RouteValidation.Str(root, "query")).Append('\n');
        foreach (var doc in root.GetProperty("documents"u8).EnumerateArray())
        {
            if (doc.ValueKind == JsonValueKind.String) text.Append(doc.GetString()).Append('\n');
            else if (doc.ValueKind == JsonValueKind.Object && doc.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String)
                text.Append(t.GetString()).Append('\n');
        }
        return counter.Count(rc.Request.Model, text.ToString());
    }
}
