using Microsoft.ML.Tokenizers;

namespace NewApi.Billing.Tokens;

/// <summary>
/// Local token counts (relay.md §3.3): OpenAI text models through the real tiktoken vocabularies (o200k_base for the
/// 4o/4.1/4.5/5/o-series families, cl100k_base otherwise), every other model through New API's per-provider heuristic.
/// The vocabularies ship in NuGet packages and load lazily, once, on the first request that needs each (about 0.3 s and
/// tens of MB for o200k): a gateway that serves only Claude or Gemini models never loads them.
/// </summary>
public sealed class TokenCounter
{
    private readonly Lazy<Tokenizer> _o200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<Tokenizer> _cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"), LazyThreadSafetyMode.ExecutionAndPublication);

    public int Count(string model, string text)
    {
        if (text.Length == 0) return 0;
        return TokenizerFor(model) is { } tokenizer ? BoundedTiktoken.Count(tokenizer, text) : HeuristicEstimator.Estimate(FamilyOf(model), text);
    }

    /// <summary>Counting for <paramref name="model"/> would first load its vocabulary (a one-time ~0.3 s of CPU).</summary>
    public bool NeedsLoad(string model) => EncodingOf(model) switch
    {
        Encoding.O200k => !_o200k.IsValueCreated,
        Encoding.Cl100k => !_cl100k.IsValueCreated,
        _ => false,
    };

    /// <summary>An OpenAI text model: counted with a real vocabulary (and its images sized by OpenAI's rules).</summary>
    public static bool IsOpenAiTextModel(string model) => EncodingOf(model) != Encoding.None;

    private enum Encoding { None, O200k, Cl100k }

    private Tokenizer? TokenizerFor(string model) => EncodingOf(model) switch
    {
        Encoding.O200k => _o200k.Value,
        Encoding.Cl100k => _cl100k.Value,
        _ => null,
    };

    // Model names seen so far (a request pays for a lookup instead of ten case-insensitive scans); bounded, as names
    // come from callers.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Encoding> Seen = new(StringComparer.Ordinal);
    private static int _seenCount;   // ConcurrentDictionary.Count takes every lock: kept apart, as misses are the hot case under odd names

    private static Encoding EncodingOf(string model)
    {
        if (Seen.TryGetValue(model, out var known)) return known;
        var encoding = Classify(model);
        if (Volatile.Read(ref _seenCount) < 4096 && Seen.TryAdd(model, encoding)) Interlocked.Increment(ref _seenCount);
        return encoding;
    }

    private static Encoding Classify(string model)
    {
        var m = model.AsSpan();
        if (Has(m, "gpt-4o") || Has(m, "gpt-4.1") || Has(m, "gpt-4.5") || Has(m, "gpt-5") || Has(m, "chatgpt-4o")
            || StartsO(m, "o1") || StartsO(m, "o3") || StartsO(m, "o4") || Has(m, "gpt-oss") || Has(m, "gpt-image"))
            return Encoding.O200k;
        if (Has(m, "gpt-") || Has(m, "text-embedding") || Has(m, "davinci") || Has(m, "babbage") || Has(m, "text-moderation"))
            return Encoding.Cl100k;
        return Encoding.None;
    }

    private static bool Has(ReadOnlySpan<char> model, string marker) => model.Contains(marker, StringComparison.OrdinalIgnoreCase);

    private static bool StartsO(ReadOnlySpan<char> model, string prefix) => model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    private static HeuristicEstimator.Family FamilyOf(string model) =>
        model.Contains("gemini", StringComparison.OrdinalIgnoreCase) ? HeuristicEstimator.Family.Gemini
        : model.Contains("claude", StringComparison.OrdinalIgnoreCase) ? HeuristicEstimator.Family.Claude
        : HeuristicEstimator.Family.OpenAi;
}
