using System.Diagnostics;
using System.Text;
using Microsoft.ML.Tokenizers;
using NewApi.Billing.Tokens;

namespace NewApi.Tests.Unit.Billing;

/// <summary>
/// Local counts stay linear on hostile text (one huge pre-token made byte-pair merging quadratic: 'a' × 1,000,000 needed
/// minutes) and stay exactly the tokenizer's on ordinary text.
/// </summary>
public sealed class BoundedTiktokenTests
{
    private static readonly TokenCounter Counter = new();
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(2);

    private const string English = "The quick brown fox jumps over the lazy dog. It wasn't the first time; they'd done it before, "
        + "and they'll do it again in 2024 — at 3:45 pm, for $1,234.56 (roughly 15% more than last year's budget).\n\n";
    private const string Code = "public static int Add(int a, int b)\n{\n    // sum\n    return a + b; /* done */\n}\n\tif (x != null && y >= 0x1F) { z++; }\n";
    private const string Cjk = "我们今天去公园散步，天气非常好。日本語のテキストも含まれています。한국어 문장도 있습니다.\n";
    private const string Emoji = "Great job 😀🎉👍🏽 — family: 👨‍👩‍👧‍👦, flags 🇺🇸🇯🇵, math ∑∫√∞ ≤ ≥.";

    [Fact]
    public void LongUnbrokenRun_IsCountedInLinearTime()
    {
        Counter.Count("gpt-4o", "warm up");   // the vocabulary loads once (~0.3 s); not what is measured
        Counter.Count("gpt-3.5-turbo", "warm up");
        var text = new string('a', 1_000_000);
        foreach (var model in new[] { "gpt-4o", "gpt-3.5-turbo" })
        {
            var clock = Stopwatch.StartNew();
            var count = Counter.Count(model, text);
            Assert.True(clock.Elapsed < Generous, $"{model}: {clock.Elapsed}");
            Assert.InRange(count, text.Length / 64, text.Length);
        }
    }

    [Theory]
    [InlineData("spaces")]
    [InlineData("newlines")]
    [InlineData("symbol and newline/slash tail")]
    [InlineData("base64")]
    [InlineData("cjk without punctuation")]
    public void OtherHostileShapes_AreBoundedToo(string shape)
    {
        Counter.Count("gpt-4o", "warm up");
        var random = new Random(7);
        var text = shape switch
        {
            "spaces" => new string(' ', 3_000_000),
            "newlines" => string.Concat(Enumerable.Repeat(" \n", 1_500_000)),
            "symbol and newline/slash tail" => "!" + string.Concat(Enumerable.Repeat("\n/", 1_500_000)),
            "base64" => Convert.ToBase64String(RandomBytes(random, 2_250_000)),
            _ => new string('中', 1_000_000),
        };
        var clock = Stopwatch.StartNew();
        var count = Counter.Count("gpt-4o", text);
        Assert.True(clock.Elapsed < Generous, $"{shape}: {clock.Elapsed}");
        Assert.InRange(count, 1, Encoding.UTF8.GetByteCount(text));
    }

    [Theory]
    [InlineData(English)]
    [InlineData(Code)]
    [InlineData(Cjk)]
    [InlineData(Emoji)]
    [InlineData(English + Code + Cjk + Emoji)]
    [InlineData("x")]
    public void OrdinaryText_CountsExactlyAsTheTokenizer(string text)
    {
        Assert.False(BoundedTiktoken.MayHaveLongPiece(text));
        AssertExact(text);
        AssertExact(string.Concat(Enumerable.Repeat(text, 200)));
    }

    [Fact]
    public void LongStretchesOfShortPieces_CountExactlyAsTheTokenizer()
    {
        // Thousands of chars with no declared boundary, but every pre-token short: counted piece by piece, same result.
        var random = new Random(3);
        var numbers = "[" + string.Join(",", Enumerable.Range(0, 2000).Select(i => i * 37)) + "]";
        var hex = Convert.ToHexStringLower(RandomBytes(random, 4000));
        var arithmetic = string.Concat(Enumerable.Repeat("1+22*333-4444/5=(6)", 100));
        foreach (var text in new[] { numbers, hex, arithmetic })
        {
            Assert.True(BoundedTiktoken.MayHaveLongPiece(text));
            AssertExact(text);
        }
        var url = "https://example.com/" + string.Join("/", Enumerable.Range(0, 300).Select(i => $"seg{i}?q={i * 7}&x=%2F"));
        var json = "{" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"key{i}\":[{i},\"v{i}\",null,true]")) + "}";
        AssertExact(url);
        AssertExact(json);
    }

    [Fact]
    public void RandomMixedText_CountsExactlyAsTheTokenizer()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 200; i++) AssertExact(RandomText(random, random.Next(1, 400)));
    }

    [Fact]
    public void DeclaredBoundaries_AreAlwaysPreTokenBoundaries()
    {
        // The fast path's claim: a stretch between two declared boundaries holds whole pre-tokens only.
        var random = new Random(99);
        foreach (var tokenizer in new[] { O200k.Value, Cl100k.Value })
            for (var i = 0; i < 300; i++)
            {
                var text = RandomText(random, random.Next(1, 300));
                var starts = new HashSet<int>();
                foreach (var (offset, length) in tokenizer.PreTokenizer!.PreTokenize(text))
                    for (var k = offset + 1; k < offset + length; k++) starts.Add(k);   // positions inside a piece
                for (var k = 1; k < text.Length; k++)
                    if (BoundedTiktoken.IsBoundary(text[k - 1], text[k]))
                        Assert.False(starts.Contains(k), $"{k} in {Escape(text)}");
            }
    }

    [Fact]
    public void RunCutAtASurrogatePair_DoesNotThrowAndCountsSensibly()
    {
        // '!' then emoji: one symbol piece whose 256th char is the high half of a pair, so the slice ends one earlier.
        const int n = 50_000;
        var text = "!" + string.Concat(Enumerable.Repeat("😀", n));
        Assert.True(char.IsHighSurrogate(text[BoundedTiktoken.MaxPiece - 1]));
        var count = Counter.Count("gpt-4o", text);
        var perEmoji = O200k.Value.CountTokens(string.Concat(Enumerable.Repeat("😀", 100))) / 100.0;
        Assert.InRange(count, (int)(perEmoji * n * 0.95), (int)(perEmoji * n * 1.05) + 2);

        var lone = new string('\uD83D', 10_000) + "x" + new string('\uDE00', 10_000);   // unpaired halves: counted, no throw
        Assert.InRange(Counter.Count("gpt-4o", lone), 1, Encoding.UTF8.GetByteCount(lone));
    }

    [Fact]
    public void TextBeyondTheExactLimit_IsExtrapolatedClosely()
    {
        var text = string.Concat(Enumerable.Repeat(English + Code + Cjk + Emoji, 12_000));
        Assert.True(text.Length > BoundedTiktoken.MaxExactChars * 4);
        var exact = O200k.Value.CountTokens(text);
        Assert.InRange(Counter.Count("gpt-4o", text), exact * 0.98, exact * 1.02);
    }

    private static void AssertExact(string text)
    {
        Assert.Equal(O200k.Value.CountTokens(text), Counter.Count("gpt-4o", text));
        Assert.Equal(Cl100k.Value.CountTokens(text), Counter.Count("gpt-3.5-turbo", text));
    }

    // No special tokens: Microsoft.ML.Tokenizers 2.0.1 honours "<|endoftext|>" only while it sits in the tokenizer's
    // 8192-entry LRU cache, so a busy tokenizer (this class's Counter) and a fresh one count it differently.
    private static readonly string[] Pieces =
    [
        "hello", "World", " ", "  ", "1", "2345", "!", "?", ".", ",", "'s", "'", "中文", "，", "。", "😀", "🧑‍💻", "\n", "\r\n", "\t",
        "x", "{", "}", "\"", "\\", "/", "αβγ", "∑", "—", "_", "-", "==", "é", "e\u0301", "<|", "|>", "\u00A0", "\u3000",
    ];

    private static string RandomText(Random random, int pieces)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pieces; i++) sb.Append(Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Escape(string s) => s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
