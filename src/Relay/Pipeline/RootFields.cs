using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace NewApi.Relay.Pipeline;

/// <summary>Top-level request fields whose presence the adapters check (<see cref="RelayRequest.Present"/>).</summary>
[Flags]
public enum RootField
{
    None = 0,
    StreamOptions = 1,
    ServiceTier = 2,
    SafetyIdentifier = 4,
    Store = 8,
}

/// <summary>
/// The top-level fields a relay request is validated, routed and billed by, read in one pass over the object's properties
/// instead of a lookup per name (each lookup that misses walks every property). A name that appears twice counts with its
/// last value, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> answers; escaped names are compared
/// unescaped.
/// </summary>
internal struct RootFields
{
    public JsonElement Model, Stream, StreamOptions, MaxTokens, MaxCompletionTokens, MaxOutputTokens, GenerationConfig;
    public JsonElement Messages, Prefix, Suffix, Prompt, Input, Contents;
    public RootField Present;

    public static RootFields Read(JsonElement root)
    {
        var f = default(RootFields);
        foreach (var p in root.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(p);
            if (raw.IndexOf((byte)'\\') >= 0) f.Escaped(p);
            else f.Take(raw, p.Value);
        }
        return f;
    }

    private void Escaped(JsonProperty p)
    {
        // The longest name read here has 21 bytes: a longer one (after unescaping) is none of them.
        Span<byte> name = stackalloc byte[32];
        var text = p.Name;
        if (text.Length > name.Length || Utf8.FromUtf16(text, name, out _, out var written) != OperationStatus.Done) return;
        Take(name[..written], p.Value);
    }

    private void Take(ReadOnlySpan<byte> name, JsonElement v)
    {
        switch (name.Length)
        {
            case 5 when name.SequenceEqual("model"u8): Model = v; break;
            case 5 when name.SequenceEqual("input"u8): Input = v; break;
            case 5 when name.SequenceEqual("store"u8): Present |= RootField.Store; break;
            case 6 when name.SequenceEqual("stream"u8): Stream = v; break;
            case 6 when name.SequenceEqual("prefix"u8): Prefix = v; break;
            case 6 when name.SequenceEqual("suffix"u8): Suffix = v; break;
            case 6 when name.SequenceEqual("prompt"u8): Prompt = v; break;
            case 8 when name.SequenceEqual("messages"u8): Messages = v; break;
            case 8 when name.SequenceEqual("contents"u8): Contents = v; break;
            case 10 when name.SequenceEqual("max_tokens"u8): MaxTokens = v; break;
            case 12 when name.SequenceEqual("service_tier"u8): Present |= RootField.ServiceTier; break;
            case 14 when name.SequenceEqual("stream_options"u8): StreamOptions = v; Present |= RootField.StreamOptions; break;
            case 16 when name.SequenceEqual("generationConfig"u8): GenerationConfig = v; break;
            case 17 when name.SequenceEqual("max_output_tokens"u8): MaxOutputTokens = v; break;
            case 17 when name.SequenceEqual("safety_identifier"u8): Present |= RootField.SafetyIdentifier; break;
            case 21 when name.SequenceEqual("max_completion_tokens"u8): MaxCompletionTokens = v; break;
        }
    }
}
