using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>Upstream error bodies of each dialect answered in each client's error shape (relay.md §2.20, pitfall 3).</summary>
public sealed class ErrorConversionTests
{
    private static readonly Dictionary<string, (WireFamily Upstream, int Status, string Message, string OpenAiType, string Claude, string Gemini)> Errors = new()
    {
        ["openai/error_invalid_key.json"] = (WireFamily.OpenAiChat, 401,
            "Incorrect API key provided: sk-abc***xyz. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error", "authentication_error", "UNAUTHENTICATED"),
        ["claude/error_overloaded.json"] = (WireFamily.Claude, 529, "Overloaded", "overloaded_error", "overloaded_error", "UNAVAILABLE"),
        ["gemini/error_invalid_key.json"] = (WireFamily.Gemini, 400, "API key not valid. Please pass a valid API key.", "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT"),
        ["responses/error_rate_limit.json"] = (WireFamily.Responses, 429,
            "Rate limit reached for gpt-4.1 in organization org-abc on tokens per min (TPM): Limit 30000, Used 29800, Requested 1200.",
            "tokens", "rate_limit_error", "RESOURCE_EXHAUSTED"),
    };

    public static TheoryData<string, WireFamily> Cases()
    {
        var data = new TheoryData<string, WireFamily>();
        foreach (var file in Errors.Keys)
            foreach (var client in Families) data.Add(file, client);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void UpstreamError_IsAnsweredInTheClientShape(string file, WireFamily client)
    {
        var e = Errors[file];
        var error = ErrorConverter.Parse(e.Upstream, e.Status, GoldenBytes(file));
        Assert.Equal(e.Status, error.Status);
        Assert.Equal(e.Message, error.Message);
        var body = Wire(ErrorConverter.ToBody(client, error));
        switch (client)
        {
            case WireFamily.Claude:
                Assert.Equal("error", body["type"]!.GetValue<string>());
                Assert.Equal(e.Claude, body["error"]!["type"]!.GetValue<string>());
                Assert.Equal(e.Message, body["error"]!["message"]!.GetValue<string>());
                break;
            case WireFamily.Gemini:
                // NewApi: New API answered Gemini-native clients in the OpenAI error shape.
                Assert.Equal(e.Status, body["error"]!["code"]!.GetValue<int>());
                Assert.Equal(e.Gemini, body["error"]!["status"]!.GetValue<string>());
                Assert.Equal(e.Message, body["error"]!["message"]!.GetValue<string>());
                break;
            default:
                var o = body["error"]!.AsObject();
                Assert.Equal(e.Message, o["message"]!.GetValue<string>());
                Assert.Equal(e.OpenAiType, o["type"]!.GetValue<string>());
                Assert.True(o.ContainsKey("param") && o.ContainsKey("code"));
                break;
        }
    }

    [Fact]
    public void OpenAiUpstreamError_KeepsItsCodeForOpenAiClients()
    {
        var body = FormatConverter.ConvertError(WireFamily.OpenAiChat, WireFamily.OpenAiChat, 401, GoldenBytes("openai/error_invalid_key.json"));
        Assert.Equal("invalid_api_key", body["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public void GeminiUpstreamError_CodeCarriesTheStatusNameForOpenAiClients()
    {
        var body = FormatConverter.ConvertError(WireFamily.Gemini, WireFamily.OpenAiChat, 400, GoldenBytes("gemini/error_invalid_key.json"));
        Assert.Equal("INVALID_ARGUMENT", body["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public void NonJsonBody_BecomesTheMessage()
    {
        var error = ErrorConverter.Parse(WireFamily.Claude, 502, "<html><body>502 Bad Gateway</body></html>"u8);
        Assert.Equal("<html><body>502 Bad Gateway</body></html>", error.Message);
        Assert.Equal("UNAVAILABLE", ErrorConverter.ToBody(WireFamily.Gemini, error)["error"]!["status"]!.GetValue<string>());
        Assert.Equal("api_error", ErrorConverter.ToBody(WireFamily.Claude, error)["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void ScrubbedMessage_IsWhatTheClientGets()
    {
        var error = ErrorConverter.Parse(WireFamily.OpenAiChat, 401, GoldenBytes("openai/error_invalid_key.json")) with { Message = "invalid key" };
        var buffer = new ArrayBufferWriter<byte>();
        ErrorConverter.Write(WireFamily.Claude, error, buffer);
        SameJson("""{"type":"error","error":{"type":"authentication_error","message":"invalid key"}}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData(WireFamily.Claude, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529)]
    [InlineData(WireFamily.OpenAiChat, """{"error":{"message":"boom","type":"server_error","param":null,"code":null}}""", 500)]
    [InlineData(WireFamily.Gemini, """{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}""", 503)]
    [InlineData(WireFamily.Responses, """{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":3}""", 500)]
    public void ErrorInsideAStream_EndsEveryClientStreamWithAnError(WireFamily upstream, string frame, int status)
    {
        foreach (var client in Families.Where(f => f != upstream))
        {
            var (output, t) = Translate(upstream, client, [frame]);
            Assert.NotNull(t.Error);
            Assert.Equal(status, t.Error!.Status);
            Assert.Equal(StopReason.Error, t.StopReason);
            var events = ParseSse(output);
            switch (client)
            {
                case WireFamily.OpenAiChat:
                    Assert.DoesNotContain(events, e => e.IsDone);
                    Assert.NotNull(events[^1].Json["error"]!["message"]);
                    break;
                case WireFamily.Claude:
                    Assert.Equal("error", events[^1].Event);
                    SdkShape.ClaudeEvent(events[^1]);
                    break;
                case WireFamily.Gemini:
                    Assert.Equal(t.Error.Status, events[^1].Json["error"]!["code"]!.GetValue<int>());
                    break;
                default:
                    Assert.Equal("error", events[^2].Event);
                    Assert.Equal("response.failed", events[^1].Event);
                    Assert.Equal("failed", events[^1].Json["response"]!["status"]!.GetValue<string>());
                    break;
            }
        }
    }

    [Fact]
    public void ErrorAfterContent_KeepsWhatWasAlreadyStreamed()
    {
        var frames = GoldenFrames("claude/stream_thinking_tool.sse").Take(9).Append("""{"type":"error","error":{"type":"api_error","message":"Internal server error"}}""");
        var (output, t) = Translate(WireFamily.Claude, WireFamily.OpenAiChat, frames);
        Assert.Contains("Okay, let's check", t.CompletionText);
        Assert.Equal("Internal server error", ParseSse(output)[^1].Json["error"]!["message"]!.GetValue<string>());
    }
}
