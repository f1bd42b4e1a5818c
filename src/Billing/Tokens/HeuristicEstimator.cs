using System.Text;

namespace NewApi.Billing.Tokens;

/// <summary>
/// New API's character-class token estimate for models without a public tokenizer: a weight per word, number run,
/// CJK character, symbol, math symbol, URL delimiter, '@', emoji, newline and space, by provider family.
/// </summary>
public static class HeuristicEstimator
{
    public enum Family { OpenAi, Claude, Gemini }

    private readonly record struct Weights(double Word, double Number, double Cjk, double Symbol, double Math, double UrlDelim,
        double At, double Emoji, double Newline, double Space);

    private static readonly Weights OpenAi = new(1.02, 1.55, 0.85, 0.4, 2.68, 1.0, 2.0, 2.12, 0.5, 0.42);
    private static readonly Weights Claude = new(1.13, 1.63, 1.21, 0.4, 4.52, 1.26, 2.82, 2.6, 0.89, 0.39);
    private static readonly Weights Gemini = new(1.15, 2.8, 0.68, 0.38, 1.05, 1.2, 2.5, 1.08, 1.15, 0.2);
    private const string MathSymbols = "∑∫∂√∞≤≥≠≈±×÷∈∉∋∌⊂⊃⊆⊇∪∩∧∨¬∀∃∄∅∆∇∝∟∠∡∢°′″‴⁺⁻⁼⁽⁾ⁿ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎²³¹⁴⁵⁶⁷⁸⁹⁰";

    private enum Run { None, Word, Number }

    public static int Estimate(Family family, string text)
    {
        var w = family switch { Family.Claude => Claude, Family.Gemini => Gemini, _ => OpenAi };
        double count = 0;
        var run = Run.None;
        foreach (var rune in text.EnumerateRunes())
        {
            var (weight, next) = Classify(rune, w, run);
            count += weight;
            run = next;
        }
        return (int)Math.Ceiling(count);
    }

    private static (double Weight, Run Next) Classify(Rune r, in Weights w, Run run)
    {
        if (Rune.IsWhiteSpace(r)) return (r.Value is '\n' or '\t' ? w.Newline : w.Space, Run.None);
        if (IsCjk(r.Value)) return (w.Cjk, Run.None);
        if (IsEmoji(r.Value)) return (w.Emoji, Run.None);
        if (Rune.IsLetter(r) || Rune.IsNumber(r))
        {
            var kind = Rune.IsNumber(r) ? Run.Number : Run.Word;
            return (kind == run ? 0 : kind == Run.Number ? w.Number : w.Word, kind);
        }
        if (IsMath(r)) return (w.Math, Run.None);
        if (r.Value == '@') return (w.At, Run.None);
        return (r.Value is '/' or ':' or '?' or '&' or '=' or ';' or '#' or '%' ? w.UrlDelim : w.Symbol, Run.None);
    }

    private static bool IsCjk(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0xF900 and <= 0xFAFF
            or >= 0x3040 and <= 0x30FF or >= 0xAC00 and <= 0xD7A3;

    private static bool IsEmoji(int c) =>
        c is >= 0x1F300 and <= 0x1F9FF or >= 0x2600 and <= 0x26FF or >= 0x2700 and <= 0x27BF or >= 0x1FA00 and <= 0x1FAFF;

    private static bool IsMath(Rune r) =>
        r.Value is >= 0x2200 and <= 0x22FF or >= 0x2A00 and <= 0x2AFF or >= 0x1D400 and <= 0x1D7FF
        || (r.IsBmp && MathSymbols.Contains((char)r.Value, StringComparison.Ordinal));
}
