using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>Field-level request mappings of relay.md §4.2, §4.4, §4.6, §4.9 and §4.10.</summary>
public sealed class RequestMappingTests
{
    private static JsonObject Convert(WireFamily from, WireFamily to, string json, RequestOptions? options = null) =>
        Wire(FormatConverter.ConvertRequest(from, to, Obj(json), options).Body);

    [Fact]
    public void OpenAiToClaude_DefaultsMaxTokens_MapsStopChoiceAndParallel()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Claude, """
            {"model":"claude-sonnet-4","messages":[{"role":"system","content":"S"},{"role":"user","content":"hi"}],
             "stop":"END","temperature":0.2,"top_p":0.9,"user":"u1",
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}],
             "tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false}
            """);
        Assert.Equal(8192, body["max_tokens"]!.GetValue<int>());
        Assert.Equal("S", body["system"]!.GetValue<string>());
        Assert.Equal(["END"], body["stop_sequences"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("tool", body["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("f", body["tool_choice"]!["name"]!.GetValue<string>());
        Assert.True(body["tool_choice"]!["disable_parallel_tool_use"]!.GetValue<bool>());
        Assert.Null(body["top_p"]);   // recent Claude models reject temperature + top_p
        Assert.Equal("u1", body["metadata"]!["user_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"auto\"", "auto")]
    [InlineData("\"required\"", "any")]
    [InlineData("\"none\"", "none")]
    public void OpenAiToolChoice_MapsToClaude(string choice, string claude)
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Claude, $$$"""
            {"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{{{choice}}}}
            """);
        Assert.Equal(claude, body["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("object", body["tools"]![0]!["input_schema"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"auto\"", "AUTO", null)]
    [InlineData("\"required\"", "ANY", null)]
    [InlineData("\"none\"", "NONE", null)]
    [InlineData("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}", "ANY", "f")]
    public void OpenAiToolChoice_MapsToGemini(string choice, string mode, string? allowed)
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Gemini, $$$"""
            {"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{{{choice}}}}
            """);
        var config = body["toolConfig"]!["functionCallingConfig"]!;
        Assert.Equal(mode, config["mode"]!.GetValue<string>());
        Assert.Equal(allowed, config["allowedFunctionNames"]?[0]?.GetValue<string>());
    }

    [Fact]
    public void OpenAiToGemini_SchemaCleaned_JsonSchemaFormat_StopLimitedToFive()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Gemini, """
            {"model":"gemini-2.5-pro","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e","f"],"seed":7,
             "tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
               "additionalProperties":false,"properties":{"when":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"},
               "kind":{"$ref":"#/$defs/Kind"},"opt":{"type":["integer","null"]}},"$defs":{"Kind":{"type":"string","enum":["a","b"]}}}}}],
             "response_format":{"type":"json_schema","json_schema":{"name":"out","strict":true,"schema":{"type":"object","properties":{"v":{"const":"x"}},"additionalProperties":false}}}}
            """);
        var parameters = body["tools"]![0]!["functionDeclarations"]![0]!["parameters"]!.AsObject();
        Assert.False(parameters.ContainsKey("additionalProperties") || parameters.ContainsKey("$schema") || parameters.ContainsKey("$defs"));
        Assert.Equal("date-time", parameters["properties"]!["when"]!["format"]!.GetValue<string>());
        Assert.Null(parameters["properties"]!["id"]!["format"]);
        Assert.Equal(["a", "b"], parameters["properties"]!["kind"]!["enum"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(parameters["properties"]!["opt"]!["nullable"]!.GetValue<bool>());
        var generation = body["generationConfig"]!;
        Assert.Equal(5, generation["stopSequences"]!.AsArray().Count);
        Assert.Equal(7, generation["seed"]!.GetValue<int>());
        Assert.Equal("application/json", generation["responseMimeType"]!.GetValue<string>());
        Assert.Equal("x", generation["responseSchema"]!["properties"]!["v"]!["enum"]![0]!.GetValue<string>());
    }

    [Fact]
    public void OpenAiJsonObject_ToGemini_IsJsonMimeWithoutSchema()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Gemini, """{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}""");
        Assert.Equal("application/json", body["generationConfig"]!["responseMimeType"]!.GetValue<string>());
        Assert.Null(body["generationConfig"]!["responseSchema"]);
    }

    [Fact]
    public void GeminiToOpenAi_ResponseSchemaBecomesJsonSchema_TypesLowerCased()
    {
        var body = Convert(WireFamily.Gemini, WireFamily.OpenAiChat, """
            {"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json","candidateCount":2,
             "responseSchema":{"type":"OBJECT","properties":{"n":{"type":"INTEGER","nullable":true}}},"stopSequences":["a"]}}
            """, new RequestOptions { Model = "gpt-4o", Stream = true });
        var schema = body["response_format"]!["json_schema"]!["schema"]!;
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal(["integer", "null"], schema["properties"]!["n"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("a", body["stop"]!.GetValue<string>());   // NewApi: New API sliced stop sequences to 4 and crashed below 4
        Assert.Equal(2, body["n"]!.GetValue<int>());
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public void GeminiJsonSchemaFields_WithUpperCaseTypes_AreLowerCased()
    {
        // Gemini CLI writes OpenAPI-style types in responseJsonSchema and parametersJsonSchema.
        var body = Convert(WireFamily.Gemini, WireFamily.OpenAiChat, """
            {"contents":[{"parts":[{"text":"x"}]}],
             "tools":[{"functionDeclarations":[{"name":"f","parametersJsonSchema":{"type":"OBJECT","properties":{"cmd":{"type":"STRING"}}}}]}],
             "generationConfig":{"responseMimeType":"application/json",
               "responseJsonSchema":{"type":"OBJECT","properties":{"score":{"type":"INTEGER"},"why":{"type":"string"}},"required":["score"]}}}
            """, new RequestOptions { Model = "gpt-4o", Stream = false });
        var schema = body["response_format"]!["json_schema"]!["schema"]!;
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal("integer", schema["properties"]!["score"]!["type"]!.GetValue<string>());
        Assert.Equal("string", schema["properties"]!["why"]!["type"]!.GetValue<string>());
        Assert.Equal("score", schema["required"]![0]!.GetValue<string>());
        var parameters = body["tools"]![0]!["function"]!["parameters"]!;
        Assert.Equal("object", parameters["type"]!.GetValue<string>());
        Assert.Equal("string", parameters["properties"]!["cmd"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void ClaudeSystemRoleMessage_AmongMessages_IsSystemText()
    {
        // Claude Code sends its environment block as a system-role message inside messages.
        var body = Convert(WireFamily.Claude, WireFamily.OpenAiChat, """
            {"model":"c","max_tokens":10,"system":"S1","messages":[{"role":"system","content":"ENV"},{"role":"user","content":"hi"}]}
            """, new RequestOptions { Model = "gpt-4o", Stream = false });
        var messages = body["messages"]!.AsArray();
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Contains("ENV", messages[0]!.ToJsonString());
        Assert.DoesNotContain(messages.Skip(1), m => m!.ToJsonString().Contains("ENV"));
        Assert.Equal("user", messages[^1]!["role"]!.GetValue<string>());
    }

    [Fact]
    public void GeminiSnakeCaseRequest_IsRead()
    {
        var body = Convert(WireFamily.Gemini, WireFamily.Claude, """
            {"system_instruction":{"parts":[{"text":"S"}]},"contents":[{"role":"user","parts":[{"text":"x"},{"file_data":{"mime_type":"application/pdf","file_uri":"https://example.com/a.pdf"}}]}],
             "generation_config":{"max_output_tokens":99,"stop_sequences":["z"]}}
            """, new RequestOptions { Model = "claude-x", Stream = false });
        Assert.Equal("S", body["system"]!.GetValue<string>());
        Assert.Equal(99, body["max_tokens"]!.GetValue<int>());
        Assert.Equal("document", body["messages"]![0]!["content"]![1]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void ConsecutiveSameRoleMessages_AreMergedIntoOneTurn()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Gemini, """
            {"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"assistant","content":"c"}]}
            """);
        Assert.Equal(2, body["contents"]!.AsArray().Count);
        Assert.Equal(2, body["contents"]![0]!["parts"]!.AsArray().Count);
    }

    [Fact]
    public void ClaudeTarget_FirstMessageMustBeUser()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Claude, """{"model":"m","messages":[{"role":"assistant","content":"hello"},{"role":"user","content":"hi"}]}""");
        Assert.Equal("user", body["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("assistant", body["messages"]![1]!["role"]!.GetValue<string>());
    }

    [Fact]
    public void ClaudeTarget_TemperatureAboveOneIsClamped()
    {
        var converted = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Obj("""{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1.6}"""));
        Assert.Equal(1.0, converted.Body["temperature"]!.GetValue<double>());
        Assert.Contains("temperature clamped to 1", converted.Notes);
    }

    [Fact]
    public void WebSearchOptions_BecomeClaudeServerToolAndGeminiGoogleSearch()
    {
        const string json = """
            {"model":"m","messages":[{"role":"user","content":"news?"}],
             "web_search_options":{"search_context_size":"high","user_location":{"type":"approximate","approximate":{"country":"GB","city":"London"}}}}
            """;
        var claude = Convert(WireFamily.OpenAiChat, WireFamily.Claude, json)["tools"]![0]!;
        Assert.Equal("web_search_20250305", claude["type"]!.GetValue<string>());
        Assert.Equal(10, claude["max_uses"]!.GetValue<int>());
        Assert.Equal("London", claude["user_location"]!["city"]!.GetValue<string>());
        Assert.NotNull(Convert(WireFamily.OpenAiChat, WireFamily.Gemini, json)["tools"]![0]!["googleSearch"]);
        Assert.Equal("web_search", Convert(WireFamily.OpenAiChat, WireFamily.Responses, json)["tools"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void ResponsesStatefulRequest_IsRefusedForOtherUpstreams()
    {
        var ex = Assert.Throws<ConversionException>(() => FormatConverter.ConvertRequest(WireFamily.Responses, WireFamily.Claude,
            Obj("""{"model":"m","input":"hi","previous_response_id":"resp_1"}""")));
        Assert.Contains("previous_response_id", ex.Message);
    }

    [Fact]
    public void ResponsesStringInput_AndDeveloperMessage()
    {
        var body = Convert(WireFamily.Responses, WireFamily.OpenAiChat, """
            {"model":"gpt-4.1","input":[{"role":"developer","content":"Be brief."},{"role":"user","content":"hi"}],"max_output_tokens":50,
             "tool_choice":{"type":"function","name":"f"},"tools":[{"type":"function","name":"f","parameters":{"type":"object"}},{"type":"file_search","vector_store_ids":["v"]}]}
            """);
        Assert.Equal("Be brief.", body["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(50, body["max_tokens"]!.GetValue<int>());
        Assert.Equal("f", body["tool_choice"]!["function"]!["name"]!.GetValue<string>());
        Assert.Single(body["tools"]!.AsArray());
    }

    [Fact]
    public void GeminiToolCallsWithoutIds_ArePairedAcrossTheConversation()
    {
        // NewApi: New API numbered ids per content, so call_1 of turn 2 answered call_1 of turn 1.
        var body = Convert(WireFamily.Gemini, WireFamily.OpenAiChat, """
            {"contents":[
              {"role":"user","parts":[{"text":"weather in A and B?"}]},
              {"role":"model","parts":[{"functionCall":{"name":"w","args":{"c":"A"}}},{"functionCall":{"name":"w","args":{"c":"B"}}}]},
              {"role":"user","parts":[{"functionResponse":{"name":"w","response":{"t":1}}},{"functionResponse":{"name":"w","response":{"t":2}}}]},
              {"role":"model","parts":[{"functionCall":{"name":"w","args":{"c":"C"}}}]},
              {"role":"user","parts":[{"functionResponse":{"name":"w","response":{"t":3}}}]}]}
            """, new RequestOptions { Model = "gpt-4o" });
        var messages = body["messages"]!.AsArray();
        var callIds = messages.Where(m => m!["tool_calls"] is not null).SelectMany(m => m!["tool_calls"]!.AsArray()).Select(c => c!["id"]!.GetValue<string>()).ToList();
        var resultIds = messages.Where(m => m!["role"]!.GetValue<string>() == "tool").Select(m => m!["tool_call_id"]!.GetValue<string>()).ToList();
        Assert.Equal(["call_1", "call_2", "call_3"], callIds);
        Assert.Equal(callIds, resultIds);
        Assert.Equal("""{"t":2}""", messages[3]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void GeminiUpstream_InvalidToolArguments_AreAConversionError()
    {
        Assert.Throws<ConversionException>(() => FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Gemini, Obj("""
            {"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{not json"}}]},
             {"role":"tool","tool_call_id":"c","content":"r"}]}
            """)));
    }

    [Fact]
    public void ClaudeUpstream_ToolIdsWithForbiddenCharacters_AreSanitisedConsistently()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Claude, """
            {"model":"m","messages":[{"role":"user","content":"x"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"functions.get_weather:0","content":"sunny"}]}
            """);
        Assert.Equal("functions_get_weather_0", body["messages"]![1]!["content"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("functions_get_weather_0", body["messages"]![2]!["content"]![0]!["tool_use_id"]!.GetValue<string>());
    }

    [Fact]
    public void LegacyFunctionsAndFunctionCall_AreRead()
    {
        var body = Convert(WireFamily.OpenAiChat, WireFamily.Claude, """
            {"model":"m","functions":[{"name":"f","parameters":{"type":"object","properties":{}}}],"function_call":{"name":"f"},
             "messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{\"a\":1}"}},
                         {"role":"function","name":"f","content":"done"}]}
            """);
        Assert.Equal("f", body["tools"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("tool", body["tool_choice"]!["type"]!.GetValue<string>());
        var id = body["messages"]![1]!["content"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(id, body["messages"]![2]!["content"]![0]!["tool_use_id"]!.GetValue<string>());
    }
}
