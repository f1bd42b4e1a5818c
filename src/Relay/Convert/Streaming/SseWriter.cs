using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Streaming;

/// <summary>SSE framing (relay.md §4.11): <c>event: x</c> + <c>data: json</c> + blank line; one reusable JSON writer.</summary>
internal sealed class SseWriter
{
    private Utf8JsonWriter? _json;

    public IBufferWriter<byte> Output { get; set; } = new ArrayBufferWriter<byte>();

    /// <summary>The JSON writer of the frame being written.</summary>
    public Utf8JsonWriter Current => _json ?? throw new InvalidOperationException("no frame in progress");

    /// <summary>Starts a frame and returns the JSON writer for its data; finish it with <see cref="End"/>.</summary>
    public Utf8JsonWriter Begin(string? eventName)
    {
        if (eventName is not null)
        {
            Write("event: "u8);
            Write(eventName);
            Write("\n"u8);
        }
        Write("data: "u8);
        if (_json is null) _json = new Utf8JsonWriter(Output, J.WriterOptions);
        else _json.Reset(Output);
        return _json;
    }

    public void End()
    {
        _json!.Flush();
        Write("\n\n"u8);
    }

    public void Node(string? eventName, JsonNode node)
    {
        node.WriteTo(Begin(eventName));
        End();
    }

    /// <summary>A frame whose data is already JSON text.</summary>
    public void RawFrame(string? eventName, ReadOnlySpan<byte> data)
    {
        if (eventName is not null)
        {
            Write("event: "u8);
            Write(eventName);
            Write("\n"u8);
        }
        Write("data: "u8);
        Write(data);
        Write("\n\n"u8);
    }

    public void Write(ReadOnlySpan<byte> bytes) => Output.Write(bytes);

    public void Write(string text)
    {
        var span = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        Output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Bare JSON (Gemini array form): writer for the value, then <see cref="EndBare"/>.</summary>
    public Utf8JsonWriter BeginBare()
    {
        if (_json is null) _json = new Utf8JsonWriter(Output, J.WriterOptions);
        else _json.Reset(Output);
        return _json;
    }

    public void EndBare() => _json!.Flush();
}
