namespace NewApi.Relay.Convert.Streaming;

/// <summary>
/// Writes the client's dialect from the canonical block events raised by <see cref="StreamCore"/>. The core guarantees
/// the order: OnStart once, blocks started before their deltas and stopped before OnFinish, OnEnd or OnError last.
/// </summary>
internal abstract class StreamEncoder
{
    public virtual void OnStart(StreamCore core) { }
    public virtual void OnBlockStart(StreamCore core, StreamBlock block) { }
    public virtual void OnDelta(StreamCore core, StreamBlock block, string delta) { }
    public virtual void OnSignature(StreamCore core, StreamBlock block, string signature) { }
    public virtual void OnBlockStop(StreamCore core, StreamBlock block) { }
    public virtual void OnFinish(StreamCore core) { }
    public virtual void OnEnd(StreamCore core) { }
    public virtual void OnError(StreamCore core, UpstreamError error) { }
    /// <summary>After every upstream event: encoders that coalesce (Gemini) write here.</summary>
    public virtual void OnEventDone(StreamCore core) { }
    /// <summary>Same-dialect relay: the raw upstream payload, before it is decoded.</summary>
    public virtual void OnRaw(StreamCore core, ReadOnlySpan<byte> payload, string? eventType) { }
}
