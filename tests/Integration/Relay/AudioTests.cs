using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// POST /v1/audio/speech, /transcriptions and /translations: binary speech streamed as it arrives and billed on input
/// characters plus measured audio; uploads rebuilt for the upstream; transcripts in any response_format passed through
/// and billed on the upstream's usage or the upload's duration.
/// </summary>
public sealed class AudioTests(AudioTests.Fixture fx) : IClassFixture<AudioTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"tts-1":7.5,"tts-test":2,"whisper-1":15,"gpt-4o-transcribe":1.25}""");
            await SetOptionAsync("AudioRatio", """{"tts-test":3}""");
            await SetOptionAsync("AudioCompletionRatio", """{"tts-1":0,"tts-test":0.5}""");
            await CreateChannelAsync("tts-1,tts-test,whisper-1,gpt-4o-transcribe");
        }
    }

    private const int SpeechBytes = 2500 * FakeUpstream.Mp3FrameBytes;

    private async Task<(long User, long Token, HttpClient Http)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("aud"), 1_000_000);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        return (user, tokenId, fx.Client(key));
    }

    [Fact]
    public async Task Speech_Tts1_RelaysTheAudio_AndBillsOnlyTheInputCharacters()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/audio/speech", RelayFixture.Json("""{"model":"tts-1","input":"hello world!","voice":"alloy"}"""));
        var audio = await resp.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("audio/mpeg", resp.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SpeechBytes, audio.Length);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(12, log.PromptTokens);        // 12 characters
        Assert.Equal(1000, log.CompletionTokens);  // 60 s of audio
        Assert.Equal(90, log.Quota);               // 12 × 7.5; tts-1's audio completion ratio is 0
        var other = RelayAssert.Other(log.Other);
        Assert.True(other.GetProperty("audio").GetBoolean());
        Assert.Equal(1000, other.GetProperty("audio_output").GetInt64());
        Assert.Equal((1_000_000 - 90, 90, 1), await fx.UserAsync(user));
        Assert.Equal(90, (await fx.TokenAsync(token)).Used);
    }

    [Fact]
    public async Task Speech_WithAudioRatios_BillsTheMeasuredAudio()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/audio/speech", RelayFixture.Json("""{"model":"tts-test","input":"hello world!","voice":"alloy"}"""));
        Assert.Equal(SpeechBytes, (await resp.Content.ReadAsByteArrayAsync()).Length);
        await fx.FlushAsync();
        Assert.Equal(3024, Assert.Single(await RelayAssert.LogsAsync(fx, user)).Quota);   // (12 + 1000 audio × 3 × 0.5) × 2
    }

    [Fact]
    public async Task Speech_IsStreamedToTheClient_BeforeTheUpstreamFinishes()
    {
        var (user, _, http) = await CallerAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Upstream.SpeechGate = gate;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech")
            {
                Content = RelayFixture.Json("""{"model":"tts-1","input":"streaming","voice":"alloy"}"""),
            };
            using var resp = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var body = await resp.Content.ReadAsStreamAsync();
            var half = new byte[SpeechBytes / 2];
            await body.ReadExactlyAsync(half).AsTask().WaitAsync(TimeSpan.FromSeconds(20));   // arrives while the upstream is held
            Assert.Equal(Enumerable.Range(0, 4).Select(i => half[i]), new byte[] { 0xFF, 0xFB, 0x94, 0x64 });
            gate.SetResult();
            var rest = new MemoryStream();
            await body.CopyToAsync(rest);
            Assert.Equal(SpeechBytes / 2, rest.Length);
        }
        finally
        {
            fx.Upstream.SpeechGate = null;
            gate.TrySetResult();
        }
        await fx.FlushAsync();
        Assert.Equal(68, Assert.Single(await RelayAssert.LogsAsync(fx, user)).Quota);   // 9 characters × 7.5, rounded
    }

    [Fact]
    public async Task Speech_SseStream_BillsTheUsageEvent()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/audio/speech", RelayFixture.Json("""{"model":"tts-test","input":"hi","voice":"alloy","stream_format":"sse"}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Contains("speech.audio.done", text);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal((14, 101), (log.PromptTokens, log.CompletionTokens));
        Assert.Equal((14 + 101) * 2, log.Quota);   // no audio tokens reported: the text formula, completion ratio 1
    }

    [Theory]
    [InlineData("""{"model":"tts-1","voice":"alloy"}""", "input is required")]
    [InlineData("""{"input":"x","voice":"alloy"}""", "model is required")]
    [InlineData("""{"model":"tts-1","input":"x","voice":3}""", "voice must be a string")]
    public async Task InvalidSpeech_Is400(string json, string message)
    {
        var (_, _, http) = await CallerAsync();
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/audio/speech", RelayFixture.Json(json)), HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Transcription_TextFormat_IsPassedThrough_AndBilledOnTheWavDuration()
    {
        var (user, token, http) = await CallerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("text"), "response_format" },
            { Wav(seconds: 61), "file", "voice.wav" },
        };
        var resp = await http.PostAsync("/v1/audio/transcriptions", form);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("hello world\n", await resp.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", resp.Content.Headers.ContentType?.MediaType);
        var sent = fx.Upstream.LastForm!;
        Assert.Equal("whisper-1", sent.Fields["model"]);   // the route's default model
        Assert.Equal("text", sent.Fields["response_format"]);
        Assert.Equal(("file", "voice.wav", 44L + 61 * 32_000), Assert.Single(sent.Files) is var f ? (f.Name, f.FileName, f.Length) : default);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(1017, log.PromptTokens);   // round(ceil(61) / 60 × 1000)
        Assert.Equal(1017 * 15, log.Quota);
        Assert.Equal("whisper-1", log.ModelName);
        Assert.Equal(1017 * 15, (await fx.TokenAsync(token)).Used);
    }

    [Theory]
    [InlineData("srt", "00:00:00,000 --> 00:00:02,000")]
    [InlineData("vtt", "WEBVTT")]
    public async Task Translation_SubtitleFormats_ArePassedThrough_AndBilledOnTheMp3Duration(string format, string expected)
    {
        var (user, _, http) = await CallerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("whisper-1"), "model" },
            { new StringContent(format), "response_format" },
            { Mp3(frames: 2500), "file", "speech.mp3" },
        };
        var resp = await http.PostAsync("/v1/audio/translations", form);
        Assert.Contains(expected, await resp.Content.ReadAsStringAsync());
        Assert.EndsWith("/v1/audio/translations", fx.Upstream.Requests.Last().PathAndQuery);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(1000, log.PromptTokens);   // 2500 frames × 24 ms = 60 s
        Assert.Equal(15_000, log.Quota);
    }

    [Fact]
    public async Task Transcription_WithTokenUsage_UsesTheAudioFormula()
    {
        var (user, _, http) = await CallerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-4o-transcribe"), "model" },
            { Mp3(frames: 100), "file", "a.mp3" },
            { Mp3(frames: 10), "file", "second-is-not-sent.mp3" },
        };
        var resp = await http.PostAsync("/v1/audio/transcriptions", form);
        Assert.Equal("hello world", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("text").GetString());
        Assert.Equal("a.mp3", Assert.Single(fx.Upstream.LastForm!.Files).FileName);
        await fx.FlushAsync();
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        // input 120 (100 audio) + output 30: (20 + 30 × completion 4 + 100 × audio 1) × 1.25
        Assert.Equal(300, log.Quota);
        Assert.Equal(100, RelayAssert.Other(log.Other).GetProperty("audio_input").GetInt64());
    }

    [Fact]
    public async Task Transcription_Stream_IsRelayedAsSse_AndBillsTheDoneEventUsage()
    {
        var (user, _, http) = await CallerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-4o-transcribe"), "model" },
            { new StringContent("true"), "stream" },
            { Mp3(frames: 100), "file", "a.mp3" },
        };
        var resp = await http.PostAsync("/v1/audio/transcriptions", form);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        Assert.Contains("transcript.text.done", text);
        Assert.Equal("true", fx.Upstream.LastForm!.Fields["stream"]);
        Assert.Equal(300, Assert.Single(await RelayAssert.LogsAsync(fx, user)).Quota);
    }

    [Fact]
    public async Task Transcription_WithoutAFile_OrAsJson_Is400()
    {
        var (user, _, http) = await CallerAsync();
        using var noFile = new MultipartFormDataContent { { new StringContent("whisper-1"), "model" } };
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/audio/transcriptions", noFile), HttpStatusCode.BadRequest, "file is required");
        using var empty = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "empty.wav" } };
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/audio/transcriptions", empty), HttpStatusCode.BadRequest, "file is required");
        await RelayAssert.ErrorAsync(await http.PostAsync("/v1/audio/transcriptions", RelayFixture.Json("""{"model":"whisper-1"}""")),
            HttpStatusCode.BadRequest, "multipart/form-data");
        using var badFormat = new MultipartFormDataContent { { new StringContent("whisper-1"), "model" }, { Mp3(1), "file", "a.mp3" } };
        using var unauthorized = fx.Client("sk-nope");
        await RelayAssert.ErrorAsync(await unauthorized.PostAsync("/v1/audio/transcriptions", badFormat), HttpStatusCode.Unauthorized, "Invalid token");
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
    }

    private static ByteArrayContent Wav(int seconds)
    {
        const int rate = 16_000, byteRate = rate * 2;
        var data = seconds * byteRate;
        var bytes = new byte[44 + data];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(bytes, 0);
        BitConverter.GetBytes(36 + data).CopyTo(bytes, 4);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(bytes, 8);
        BitConverter.GetBytes(16).CopyTo(bytes, 16);
        BitConverter.GetBytes((short)1).CopyTo(bytes, 20);
        BitConverter.GetBytes((short)1).CopyTo(bytes, 22);
        BitConverter.GetBytes(rate).CopyTo(bytes, 24);
        BitConverter.GetBytes(byteRate).CopyTo(bytes, 28);
        BitConverter.GetBytes((short)2).CopyTo(bytes, 32);
        BitConverter.GetBytes((short)16).CopyTo(bytes, 34);
        Encoding.ASCII.GetBytes("data").CopyTo(bytes, 36);
        BitConverter.GetBytes(data).CopyTo(bytes, 40);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        return content;
    }

    private static ByteArrayContent Mp3(int frames)
    {
        var bytes = new byte[frames * FakeUpstream.Mp3FrameBytes];
        for (var i = 0; i < frames; i++) new byte[] { 0xFF, 0xFB, 0x94, 0x64 }.CopyTo(bytes, i * FakeUpstream.Mp3FrameBytes);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/mpeg");
        return content;
    }
}
