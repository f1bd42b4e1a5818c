using System.Text;
using Microsoft.ML.Tokenizers;

namespace NewApi.Billing.Tokens;

/// <summary>
/// Tiktoken counts in time linear in the text, with a bounded worst case. Byte-pair merging is quadratic in the length of
/// one pre-token, and the o200k/cl100k pre-tokenizers return a run of letters, symbols or whitespace as a single piece:
/// 'a' × 200,000 took 8 s of CPU and a 3 MB run minutes. Here no piece longer than <see cref="MaxPiece"/> chars reaches the
/// merger (longer ones are cut into slices of that size), and at most <see cref="MaxExactChars"/> chars are tokenized (a body
/// may be 128 MB, and even short-piece text like random base64 costs ~0.7 µs a char): the rest is extrapolated.
/// Text with no long piece, up to that size, is counted exactly as before, by the same call.
/// </summary>
internal static class BoundedTiktoken
{
    /// <summary>
    /// Longest piece merged whole: 256 chars merge in ~0.2 ms, so the worst case costs about what random text does.
    /// Natural pieces (words, numbers, CJK runs between punctuation, '=====' rules) are far shorter.
    /// </summary>
    internal const int MaxPiece = 256;

    /// <summary>Chars tokenized exactly (~64K English tokens): ~0.2 s for the costliest text on one core.</summary>
    internal const int MaxExactChars = 1 << 18;

    public static int Count(Tokenizer tokenizer, string text)
    {
        if (text.Length <= MaxExactChars && !MayHaveLongPiece(text)) return tokenizer.CountTokens(text);
        if (text.Length <= MaxExactChars) return CountPieces(tokenizer, text, text.Length);
        var exact = PrefixEnd(text);
        var counted = CountPieces(tokenizer, text, exact);
        return (int)Math.Min(int.MaxValue, counted + Extrapolate(counted, exact, text.AsSpan(exact)));
    }

    /// <summary>
    /// False only when every pre-token is at most <see cref="MaxPiece"/> chars: no stretch longer than that lacks a position
    /// where both o200k and cl100k always start a new piece (see <see cref="IsBoundary"/>). One pass, no regex.
    /// </summary>
    internal static bool MayHaveLongPiece(ReadOnlySpan<char> text)
    {
        var last = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (!IsBoundary(text[i - 1], text[i])) continue;
            if (i - last > MaxPiece) return true;
            last = i;
        }
        return text.Length - last > MaxPiece;
    }

    /// <summary>
    /// No pre-token of either encoding holds both chars: a letter piece ends at whitespace or punctuation (an apostrophe
    /// may start a contraction such as 's), a number piece at whitespace, a symbol piece before a space or tab (its tail
    /// takes only \r, \n and '/'), and whitespace pieces hold no other char. UTF-16 tests are stricter than the regex
    /// classes (a surrogate is neither letter nor whitespace), so this can only miss boundaries, never invent one.
    /// </summary>
    internal static bool IsBoundary(char previous, char c) =>
        char.IsWhiteSpace(c)
            ? c is '\r' or '\n' ? char.IsLetterOrDigit(previous) : !char.IsWhiteSpace(previous)
            : c != '\'' && char.IsLetter(previous) && char.IsPunctuation(c);

    /// <summary>Each pre-token of text[..length] counted on its own, exactly as the tokenizer counts it; long ones by slices.</summary>
    private static int CountPieces(Tokenizer tokenizer, string text, int length)
    {
        var span = text.AsSpan(0, length);
        IEnumerable<(int Offset, int Length)> pieces = tokenizer.PreTokenizer is not { } pre ? [(0, length)]
            : length == text.Length ? pre.PreTokenize(text) : pre.PreTokenize(span);   // the span overload copies into a pooled buffer
        var count = 0;
        foreach (var (offset, pieceLength) in pieces)
        {
            var piece = span.Slice(offset, pieceLength);
            while (piece.Length > MaxPiece)
            {
                var cut = SliceEnd(piece, MaxPiece);
                count += tokenizer.CountTokens(piece[..cut], considerPreTokenization: false);
                piece = piece[cut..];
            }
            if (!piece.IsEmpty) count += tokenizer.CountTokens(piece, considerPreTokenization: false);
        }
        return count;
    }

    /// <summary>Where the exactly counted prefix ends: at a piece boundary within the last <see cref="MaxPiece"/> chars if any.</summary>
    private static int PrefixEnd(string text)
    {
        for (var i = MaxExactChars; i > MaxExactChars - MaxPiece; i--)
            if (IsBoundary(text[i - 1], text[i])) return i;
        return SliceEnd(text, MaxExactChars);
    }

    /// <summary><paramref name="at"/>, or one less when that would split a surrogate pair.</summary>
    private static int SliceEnd(ReadOnlySpan<char> text, int at) =>
        char.IsHighSurrogate(text[at - 1]) && char.IsLowSurrogate(text[at]) ? at - 1 : at;

    /// <summary>
    /// The rest at the prefix's tokens per char, but never above its UTF-8 byte count: byte-level BPE makes at most one
    /// token a byte, the bound <c>RelayBilling.PromptUpperBound</c> relies on.
    /// </summary>
    private static long Extrapolate(int counted, int countedChars, ReadOnlySpan<char> rest) =>
        Math.Min((long)Math.Ceiling((double)counted * rest.Length / countedChars), Encoding.UTF8.GetByteCount(rest));
}
