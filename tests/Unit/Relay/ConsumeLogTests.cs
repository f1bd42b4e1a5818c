using System.Buffers;
using System.Text;
using System.Text.Json;
using NewApi.Relay.Pipeline;

namespace NewApi.Tests.Unit.Relay;

public sealed class ConsumeLogTests
{
    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Ratios_AreWrittenExactlyAsTheWriterFormatsThem_WhateverWasFormattedBefore()
    {
        // Many values, repeated and interleaved, so that cached texts are reused and evicted: each must come out as
        // the JSON writer itself formats that double.
        double[] values = [1, 0.5, 2.5, -1, 0, 1.0 / 3, 0.1, 1e-7, 37.5, 0.075, 123456789.125, double.Epsilon, 1e300, -0.0, 15, 0.2, 0.3];
        var name = JsonEncodedText.Encode("model_ratio");
        for (var round = 0; round < 3; round++)
            for (var i = 0; i < values.Length; i++)
            {
                var value = values[(i * 7 + round) % values.Length];
                var expected = Write(w => w.WriteNumber("model_ratio", value));
                Assert.Equal(expected, Write(w => ConsumeLog.WriteRatio(w, name, value)));
            }
    }
}
