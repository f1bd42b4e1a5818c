using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert.Streaming;

/// <summary>Turns one upstream event (one SSE data payload, already parsed) into calls on <see cref="StreamCore"/>.</summary>
internal interface IStreamDecoder
{
    void Decode(StreamCore core, JsonObject evt);
}
