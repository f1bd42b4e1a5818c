using System.Text;
using System.Text.Json;
using NewApi.Billing.Tokens;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Tokens;

namespace NewApi.Tests.Unit.Relay;

/// <summary>
/// A trusted caller's hold is decided on <see cref="RelayBilling.PromptUpperBound"/> instead of the tokenized prompt,
/// so the bound must never be below what the estimator counts, whatever the text, model or images.
/// </summary>
public sealed class PromptUpperBoundTests
{
    private static readonly PromptEstimator Estimator = new(new TokenCounter());
    private static readonly string[] Models = ["gpt-4o", "gpt-3.5-turbo", "claude-sonnet-4", "gemini-2.5-pro", "deepseek-chat", "qwen-max"];
    private static readonly string[] Pieces =
    [
        "hello", " ", "1", "23", "!", "?", ".", ",", "中文", "漢字", "日本語", "한국어", "😀", "🧑‍💻", "\n", "\t", "x", "Zz", "{", "}", "\"", "\\",
        "αβγ", "∑", "—", "0x1F", "https://", "_", "-", "==", "'", "é",
    ];

    [Fact]
    public void Bound_IsNeverBelowTheEstimate_ForRandomChatBodies()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 300; i++)
        {
            var model = Models[random.Next(Models.Length)];
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("model", model);
                w.WriteStartArray("messages");
                for (var m = random.Next(1, 30); m > 0; m--)
                {
                    w.WriteStartObject();
                    w.WriteString("role", random.Next(3) switch { 0 => "user", 1 => "assistant", _ => "system" });
                    w.WriteString("content", RandomText(random, random.Next(0, 200)));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            AssertBound(RouteKind.ChatCompletions, body);
        }
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":""},{"role":"user","content":""},{"role":"user","content":""},{"role":"user","content":""}]}""")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","name":"a","content":"x"}],"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}}]}""")]
    [InlineData("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a.b/c.png","detail":"high"}},{"type":"image_url","image_url":{"url":"https://a.b/d.png"}},{"type":"text","text":"?"}]}]}""")]
    [InlineData("""{"model":"gpt-4-vision-preview","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a.b/c.png"}},{"type":"image_url","image_url":{"url":"https://a.b/e.png"}},{"type":"image_url","image_url":{"url":"https://a.b/f.png"}}]}]}""")]
    [InlineData("""{"model":"qwen-vl-max","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a.b/c.png"}}]}]}""")]
    public void Bound_IsNeverBelowTheEstimate_ForOverheadAndImageHeavyBodies(string body) => AssertBound(RouteKind.ChatCompletions, body);

    [Theory]
    [InlineData(RouteKind.ClaudeMessages, """{"model":"claude-sonnet-4","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://a.b/c.png"}},{"type":"text","text":"hi"}]}]}""")]
    [InlineData(RouteKind.Responses, """{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_image","image_url":"https://a.b/c.png"},{"type":"input_text","text":"hi"}]}]}""")]
    [InlineData(RouteKind.GeminiGenerate, """{"contents":[{"role":"user","parts":[{"text":"1 2 3 4 5 6 7 8 9 0 ! ? . , ; :"}]}]}""")]
    [InlineData(RouteKind.Completions, """{"model":"gpt-3.5-turbo-instruct","prompt":["a","b","c"]}""")]
    [InlineData(RouteKind.Embeddings, """{"model":"text-embedding-3-small","input":["😀😀😀","中文中文"]}""")]
    public void Bound_IsNeverBelowTheEstimate_OnEveryTextSurface(RouteKind kind, string body) => AssertBound(kind, body);

    private static void AssertBound(RouteKind kind, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var (request, error) = RelayRequest.Parse(kind, bytes, kind == RouteKind.GeminiGenerate ? new PathFacts("gemini-2.5-pro", false) : null);
        Assert.Null(error);
        using (request)
        {
            var estimate = Estimator.Estimate(request!);
            var bound = RelayBilling.PromptUpperBound(bytes);
            Assert.True(bound >= estimate, $"bound {bound} < estimate {estimate} for {body}");
        }
    }

    private static string RandomText(Random random, int pieces)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pieces; i++) sb.Append(Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }
}
