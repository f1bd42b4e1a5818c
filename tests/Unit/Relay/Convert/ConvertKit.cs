using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>One server-sent event as a client sees it.</summary>
internal sealed record SseEvent(string? Event, string Data)
{
    public JsonObject Json => JsonNode.Parse(Data)!.AsObject();
    public bool IsDone => Data == "[DONE]";
}

internal static class ConvertKit
{
    public const long Now = 1_700_000_000;

    public static readonly ResponseOptions Options = new() { NowUnixSeconds = Now, EstimatedPromptTokens = 42 };

    public static readonly WireFamily[] Families = [WireFamily.OpenAiChat, WireFamily.Claude, WireFamily.Gemini, WireFamily.Responses];

    /// <summary>Every (from, to) pair of different dialects.</summary>
    public static TheoryData<WireFamily, WireFamily> CrossPairs()
    {
        var data = new TheoryData<WireFamily, WireFamily>();
        foreach (var a in Families)
            foreach (var b in Families)
                if (a != b) data.Add(a, b);
        return data;
    }

    public static string GoldenPath(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    public static JsonObject Golden(string name) => JsonNode.Parse(File.ReadAllText(GoldenPath(name)))!.AsObject();

    public static byte[] GoldenBytes(string name) => File.ReadAllBytes(GoldenPath(name));

    /// <summary>The <c>data:</c> payloads of a recorded SSE file, in order.</summary>
    public static List<string> GoldenFrames(string name) => ParseSse(File.ReadAllText(GoldenPath(name))).Select(e => e.Data).ToList();

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static List<SseEvent> ParseSse(string text)
    {
        var events = new List<SseEvent>();
        foreach (var block in text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(line[5..].TrimStart());
            }
            if (data.Length > 0) events.Add(new SseEvent(name, data.ToString()));
        }
        return events;
    }

    /// <summary>Feeds every frame, completes, returns what the client received and the translator.</summary>
    public static (string Output, StreamTranslator Translator) Translate(WireFamily upstream, WireFamily client, IEnumerable<string> frames, ResponseOptions? options = null)
    {
        var t = FormatConverter.CreateStreamTranslator(upstream, client, options ?? Options);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var f in frames) t.Feed(Encoding.UTF8.GetBytes(f), buffer);
        t.Complete(buffer);
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), t);
    }

    public static string Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new Xunit.Sdk.XunitException($"expected a string, got {n?.ToJsonString() ?? "null"}");

    public static long Num(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        ? (long)decimal.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
        : throw new Xunit.Sdk.XunitException($"expected a number, got {n?.ToJsonString() ?? "null"}");

    /// <summary>The body as a client receives it: serialized and parsed again.</summary>
    public static JsonObject Wire(JsonNode body) => JsonNode.Parse(body.ToJsonString())!.AsObject();

    /// <summary>Compares two JSON texts structurally (whitespace and key order ignored).</summary>
    public static void SameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");
}
