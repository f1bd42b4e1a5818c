using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>
/// Images in every client dialect reach every upstream: inline base64 stays inline; an http(s) URL goes by URL where the
/// upstream takes URLs (OpenAI, Responses) and otherwise is reported as a <see cref="MediaSlot"/> for the pipeline to fetch.
/// </summary>
public sealed class ImageInputTests
{
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    private const string Url = "https://images.example.com/cat.png";

    public static TheoryData<WireFamily, WireFamily> Pairs() => CrossPairs();

    /// <summary>A user turn with text, one inline PNG and one remote image, in the client's dialect.</summary>
    private static JsonObject Request(WireFamily client) => client switch
    {
        WireFamily.OpenAiChat => Obj($$$"""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"compare"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Png}}}"}},{"type":"image_url","image_url":{"url":"{{{Url}}}","detail":"high"}}]}]}
            """),
        WireFamily.Claude => Obj($$$"""
            {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"compare"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Png}}}"}},{"type":"image","source":{"type":"url","url":"{{{Url}}}"}}]}]}
            """),
        WireFamily.Gemini => Obj($$$"""
            {"contents":[{"role":"user","parts":[{"text":"compare"},{"inlineData":{"mimeType":"image/png","data":"{{{Png}}}"}},
              {"fileData":{"mimeType":"image/png","fileUri":"{{{Url}}}"}}]}]}
            """),
        _ => Obj($$$"""
            {"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"compare"},
              {"type":"input_image","image_url":"data:image/png;base64,{{{Png}}}"},{"type":"input_image","image_url":"{{{Url}}}"}]}]}
            """),
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void InlineAndRemoteImages_ReachTheUpstream(WireFamily client, WireFamily upstream)
    {
        var converted = FormatConverter.ConvertRequest(client, upstream, Request(client), new RequestOptions { Model = "m" });
        var probe = RequestProbe.Of(upstream, Wire(converted.Body));
        Assert.Equal("compare", probe.Conversation);
        Assert.Equal(1, probe.InlineImages);
        Assert.Equal([Url], probe.ImageUrls);
        if (upstream is WireFamily.OpenAiChat or WireFamily.Responses)
        {
            Assert.Empty(converted.RemoteMedia);
            return;
        }
        var slot = Assert.Single(converted.RemoteMedia);
        Assert.Equal(Url, slot.Url);
        Assert.Equal("image", slot.Kind);

        slot.Fill(System.Convert.FromBase64String(Png), contentType: null);   // MIME sniffed from the bytes
        var filled = RequestProbe.Of(upstream, Wire(converted.Body));
        Assert.Equal(2, filled.InlineImages);
        Assert.Empty(filled.ImageUrls);
        Assert.True(slot.IsFilled);
    }

    [Fact]
    public void ClaudeChannelAllowedToFetch_KeepsTheUrlSource()
    {
        var converted = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Request(WireFamily.OpenAiChat), new RequestOptions { ClaudeImageUrls = true });
        Assert.Empty(converted.RemoteMedia);
        Assert.Equal("url", converted.Body["messages"]![0]!["content"]![2]!["source"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void FilledClaudeImage_HasBase64SourceWithContentType()
    {
        var converted = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Request(WireFamily.OpenAiChat));
        converted.RemoteMedia[0].Fill("image/webp; charset=binary", "UklGRg==");
        var source = converted.Body["messages"]![0]!["content"]![2]!["source"]!;
        Assert.Equal("base64", source["type"]!.GetValue<string>());
        Assert.Equal("image/webp", source["media_type"]!.GetValue<string>());
        Assert.Equal("UklGRg==", source["data"]!.GetValue<string>());
    }

    [Fact]
    public void UnsupportedMimeType_IsAConversionError()
    {
        var converted = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Request(WireFamily.OpenAiChat));
        var ex = Assert.Throws<ConversionException>(() => converted.RemoteMedia[0].Fill("text/html", "PGh0bWw+"));
        Assert.Contains("text/html", ex.Message);
        Assert.False(converted.RemoteMedia[0].IsFilled);
    }

    [Fact]
    public void GeminiFill_ReplacesFileDataWithInlineData()
    {
        var converted = FormatConverter.ConvertRequest(WireFamily.Claude, WireFamily.Gemini, Request(WireFamily.Claude));
        converted.RemoteMedia[0].Fill("image/jpeg", "/9j/4AAQ");
        var part = converted.Body["contents"]![0]!["parts"]![2]!.AsObject();
        Assert.False(part.ContainsKey("fileData"));
        Assert.Equal("image/jpeg", part["inlineData"]!["mimeType"]!.GetValue<string>());
    }

    [Fact]
    public void OpenAiDocumentUrl_IsFetchedAndInlinedAsFileData()
    {
        var converted = FormatConverter.ConvertRequest(WireFamily.Claude, WireFamily.OpenAiChat, Obj("""
            {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://example.com/paper.pdf"}},{"type":"text","text":"summarise"}]}]}
            """));
        var slot = Assert.Single(converted.RemoteMedia);
        Assert.Equal("document", slot.Kind);
        slot.Fill("%PDF-1.7"u8, "application/pdf");
        var file = converted.Body["messages"]![0]!["content"]![0]!["file"]!;
        Assert.Equal("data:application/pdf;base64,JVBERi0xLjc=", file["file_data"]!.GetValue<string>());
    }

    [Fact]
    public void OpenAiAudioInput_ReachesGeminiInline_AndIsRefusedByClaude()
    {
        const string json = """{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]}""";
        var gemini = FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Gemini, Obj(json)).Body;
        Assert.Equal("audio/wav", gemini["contents"]![0]!["parts"]![0]!["inlineData"]!["mimeType"]!.GetValue<string>());
        Assert.Throws<ConversionException>(() => FormatConverter.ConvertRequest(WireFamily.OpenAiChat, WireFamily.Claude, Obj(json)));
    }

    [Fact]
    public void ClaudeToolResultImage_ReachesEveryUpstream()
    {
        foreach (var upstream in (WireFamily[])[WireFamily.OpenAiChat, WireFamily.Gemini, WireFamily.Responses])
        {
            var body = Wire(FormatConverter.ConvertRequest(WireFamily.Claude, upstream, Golden("claude/messages_request_claude_code.json")).Body);
            var probe = RequestProbe.Of(upstream, body);
            Assert.Equal(1, probe.InlineImages + probe.Results.Sum(r => r.Images));
        }
    }
}
