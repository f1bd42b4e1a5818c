using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Streaming;

/// <summary>
/// Same dialect on both sides: every upstream payload is forwarded verbatim with the client dialect's framing (relay.md
/// §4.11: <c>event:</c> lines for Claude and Responses re-created from the payload's <c>type</c>, <c>[DONE]</c> for
/// OpenAI), while the decoder still runs so usage and stop reason are known.
/// </summary>
internal sealed class PassthroughEncoder(WireFamily family) : StreamEncoder
{
    private bool _done;
    private bool _wroteAny;

    public override void OnRaw(StreamCore core, ReadOnlySpan<byte> payload, string? eventType)
    {
        switch (family)
        {
            case WireFamily.OpenAiChat:
                if (payload.SequenceEqual("[DONE]"u8))
                {
                    Done(core);
                    return;
                }
                // relay.md §2.9: a usage-only chunk is not forwarded to a client that asked for no usage.
                if (!core.Options.IncludeUsage && IsUsageOnly(payload)) return;
                core.Sse.RawFrame(null, payload);
                break;
            case WireFamily.Gemini when core.Options.GeminiJsonArray:
                core.Sse.Write(_wroteAny ? ",\r\n"u8 : "["u8);
                _wroteAny = true;
                core.Sse.Write(payload);
                break;
            case WireFamily.Gemini:
                core.Sse.RawFrame(null, payload);
                break;
            default:
                core.Sse.RawFrame(eventType, payload);
                break;
        }
    }

    public override void OnEnd(StreamCore core)
    {
        if (family == WireFamily.OpenAiChat) Done(core);
        if (family == WireFamily.Gemini && core.Options.GeminiJsonArray) core.Sse.Write(_wroteAny ? "]"u8 : "[]"u8);
    }

    public override void OnError(StreamCore core, UpstreamError error)
    {
        if (family == WireFamily.Gemini && core.Options.GeminiJsonArray) core.Sse.Write(_wroteAny ? "]"u8 : "[]"u8);
    }

    private void Done(StreamCore core)
    {
        if (_done) return;
        _done = true;
        core.Sse.Write("data: [DONE]\n\n"u8);
    }

    private static bool IsUsageOnly(ReadOnlySpan<byte> payload)
    {
        var json = J.TryParseObject(payload);
        return json is not null && J.Obj(json, "usage") is not null && J.Arr(json, "choices") is not { Count: > 0 };
    }
}
