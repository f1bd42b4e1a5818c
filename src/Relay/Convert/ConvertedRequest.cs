using System.Text.Json.Nodes;

namespace NewApi.Relay.Convert;

/// <summary>An upstream request body produced by <see cref="FormatConverter.ConvertRequest"/>.</summary>
public sealed class ConvertedRequest(JsonObject body, string? model, bool stream, IReadOnlyList<MediaSlot> remoteMedia, IReadOnlyList<string> notes)
{
    /// <summary>The body to send (for Gemini the model and streaming mode live in the URL, not here).</summary>
    public JsonObject Body { get; } = body;

    /// <summary>Model name the body targets (Gemini upstream: put it in <c>/models/{model}:…</c>).</summary>
    public string? Model { get; } = model;

    /// <summary>Whether the upstream call should stream (Gemini upstream: <c>:streamGenerateContent?alt=sse</c>).</summary>
    public bool Stream { get; } = stream;

    /// <summary>Remote media to download and inline before sending; empty for most requests.</summary>
    public IReadOnlyList<MediaSlot> RemoteMedia { get; } = remoteMedia;

    /// <summary>Source features the upstream dialect cannot express and that were dropped or adjusted (for the log).</summary>
    public IReadOnlyList<string> Notes { get; } = notes;
}
