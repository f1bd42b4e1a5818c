using NewApi.Relay.Convert.Model;

namespace NewApi.Relay.Convert.Streaming;

/// <summary>
/// State of one translated stream: the blocks seen so far, stop reason, usage, error. Decoders report what the upstream
/// said; the core keeps the block structure well formed (opens, closes, order) and forwards each step to the encoder.
/// </summary>
internal sealed class StreamCore(StreamEncoder encoder, ResponseOptions options)
{
    private StopReason? _stop;
    private StopReason? _pendingStop;

    public ResponseOptions Options { get; } = options;
    public SseWriter Sse { get; } = new();
    public List<StreamBlock> Blocks { get; } = [];
    public string? Id { get; private set; }
    public string? Model { get; private set; }
    public long Created { get; private set; }
    public StopReason Stop => _stop ?? (_pendingStop is { } p && p != StopReason.EndTurn ? p
        : Blocks.Exists(b => b.Kind == BlockKind.ToolUse) ? StopReason.ToolUse : StopReason.EndTurn);
    public string? StopSequence { get; private set; }
    public TokenUsage Usage { get; private set; } = TokenUsage.Empty;
    public bool HasUsage { get; private set; }
    public UpstreamError? Error { get; private set; }
    public bool Started { get; private set; }
    public bool Finished { get; private set; }
    public bool Ended { get; private set; }
    public string ShownModel => Options.Model ?? Model ?? "";

    public void Start(string? id = null, string? model = null, long created = 0)
    {
        if (!string.IsNullOrEmpty(id)) Id ??= id;
        if (!string.IsNullOrEmpty(model)) Model ??= model;
        if (created > 0 && Created == 0) Created = created;
        if (Started || Ended) return;
        if (Created == 0) Created = Options.NowUnixSeconds;
        Started = true;
        encoder.OnStart(this);
    }

    public StreamBlock Open(BlockKind kind, string? toolId = null, string? toolName = null)
    {
        Start();
        // One open block at a time, as Claude streams it: a new tool call completes the previous one.
        CloseAll();
        var block = new StreamBlock(Blocks.Count, kind)
        {
            ToolId = toolId,
            ToolName = toolName,
            ToolIndex = kind == BlockKind.ToolUse ? Blocks.Count(b => b.Kind == BlockKind.ToolUse) : 0,
        };
        Blocks.Add(block);
        encoder.OnBlockStart(this, block);
        return block;
    }

    public void Append(StreamBlock block, string delta)
    {
        if (delta.Length == 0 || Ended) return;
        block.Buffer.Append(delta);
        encoder.OnDelta(this, block, delta);
    }

    public void Signature(StreamBlock block, string signature)
    {
        if (signature.Length == 0 || Ended) return;
        block.Signature = block.Kind == BlockKind.Thinking ? block.Signature + signature : signature;
        encoder.OnSignature(this, block, signature);
    }

    public void Close(StreamBlock block)
    {
        if (!block.Open) return;
        block.Open = false;
        encoder.OnBlockStop(this, block);
    }

    public void CloseAll()
    {
        foreach (var b in Blocks)
            if (b.Open) Close(b);
    }

    /// <summary>Text delta for chunk-style upstreams: continues the open text block or starts one.</summary>
    public void Text(string delta) => Continue(BlockKind.Text, delta);

    public void Thinking(string delta) => Continue(BlockKind.Thinking, delta);

    private void Continue(BlockKind kind, string delta)
    {
        if (delta.Length == 0 || Ended) return;
        var last = Blocks.Count > 0 ? Blocks[^1] : null;
        var block = last is { Open: true } && last.Kind == kind ? last : Open(kind);
        Append(block, delta);
    }

    public void Finish(StopReason reason, string? stopSequence = null)
    {
        if (Ended) return;
        _stop = reason == StopReason.EndTurn && Blocks.Exists(b => b.Kind == BlockKind.ToolUse) ? StopReason.ToolUse : reason;
        StopSequence ??= stopSequence;
        if (Finished) return;
        Start();
        CloseAll();
        Finished = true;
        encoder.OnFinish(this);
    }

    /// <summary>
    /// A stop reason carried by a chunk that may not be the last (Gemini marks every chunk of a candidate, and its stream
    /// has no terminal event): kept, and applied when the upstream ends, so no content ever follows the client's finish.
    /// </summary>
    public void FinishAtEnd(StopReason reason, string? stopSequence = null)
    {
        if (Ended || Finished) return;
        _pendingStop = reason;
        StopSequence ??= stopSequence;
    }

    public void SetUsage(TokenUsage usage)
    {
        if (!usage.HasTokens) return;
        Usage = usage;
        HasUsage = true;
    }

    public void Fail(UpstreamError error)
    {
        if (Ended) return;
        Error = error;
        _stop = StopReason.Error;
        Ended = true;
        encoder.OnError(this, error);
    }

    /// <summary>Upstream finished (terminal event, <c>[DONE]</c> or end of body): close what is open and write the ending.</summary>
    public void End()
    {
        if (Ended) return;
        if (_pendingStop is { } pending && !Finished) Finish(pending);
        Start();
        CloseAll();
        if (!Finished)
        {
            Finished = true;
            encoder.OnFinish(this);
        }
        if (!HasUsage && Options.EstimateUsage is { } estimate) Usage = estimate(CompletionText());
        Ended = true;
        encoder.OnEnd(this);
    }

    public void EventDone() => encoder.OnEventDone(this);

    public void Raw(ReadOnlySpan<byte> payload, string? eventType) => encoder.OnRaw(this, payload, eventType);

    /// <summary>Text, reasoning and tool names/arguments received, for completion estimates when usage is missing.</summary>
    public string CompletionText()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var b in Blocks)
        {
            if (b.Kind == BlockKind.ToolUse) sb.Append(b.ToolName);
            sb.Append(b.Buffer);
        }
        return sb.ToString();
    }

    /// <summary>Everything received so far as one response.</summary>
    public ConvResponse ToResponse()
    {
        var r = new ConvResponse { Id = Id, Model = Model, Created = Created, Stop = Stop, StopSequence = StopSequence, Usage = Usage };
        foreach (var b in Blocks) r.Content.Add(b.ToPart());
        return r;
    }
}
