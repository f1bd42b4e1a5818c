using System.Buffers;
using System.Globalization;
using System.Text;

namespace NewApi.Auth.Email;

/// <summary>Builds the RFC 5322 message (UTF-8 HTML, base64 body, RFC 2047 subject) and applies SMTP dot-stuffing.</summary>
public static class SmtpData
{
    /// <summary>
    /// Doubles a '.' that starts a line (RFC 5321 §4.5.2) and appends the CRLF "." CRLF terminator. Bare LF line ends
    /// are normalised to CRLF so a stray "\n." cannot end the DATA phase early.
    /// </summary>
    public static byte[] DotStuff(ReadOnlySpan<byte> message)
    {
        var output = new ArrayBufferWriter<byte>(message.Length + 64);
        var lineStart = true;
        for (var i = 0; i < message.Length; i++)
        {
            var b = message[i];
            if (lineStart && b == (byte)'.') output.Write("."u8);
            if (b == (byte)'\n' && (i == 0 || message[i - 1] != (byte)'\r')) output.Write("\r"u8);
            output.Write(message.Slice(i, 1));
            lineStart = b == (byte)'\n';
        }
        if (!lineStart) output.Write("\r\n"u8);
        output.Write(".\r\n"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>An RFC 2047 header value: ASCII text as is, otherwise UTF-8 base64 encoded-words folded at 75 characters.</summary>
    public static string EncodeHeader(string value)
    {
        value = value.Replace("\r", "").Replace("\n", " ");
        if (value.All(c => c is >= ' ' and <= '~')) return value;
        var words = new List<string>();
        var chunk = new StringBuilder();
        var bytes = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            // 45 bytes of UTF-8 → 60 base64 characters → 72-character encoded-word, within RFC 2047's 75.
            if (bytes + rune.Utf8SequenceLength > 45)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
                bytes = 0;
            }
            chunk.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }
        if (chunk.Length > 0) words.Add(Word(chunk.ToString()));
        return string.Join("\r\n ", words);
    }

    private static string Word(string s) => "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(s)) + "?=";

    public static byte[] BuildMessage(string fromName, string from, string to, string subject, string html, DateTimeOffset date)
    {
        var sb = new StringBuilder();
        sb.Append("From: ").Append(EncodeHeader(fromName)).Append(" <").Append(HeaderSafe(from)).Append(">\r\n");
        sb.Append("To: <").Append(HeaderSafe(to)).Append(">\r\n");
        sb.Append("Subject: ").Append(EncodeHeader(subject)).Append("\r\n");
        sb.Append("Date: ").Append(date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture))
          .Append(date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "")).Append("\r\n");
        var domain = from.Contains('@') ? from[(from.LastIndexOf('@') + 1)..] : "localhost";
        sb.Append("Message-ID: <").Append(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)))
          .Append('@').Append(HeaderSafe(domain)).Append(">\r\n");
        sb.Append("MIME-Version: 1.0\r\n");
        sb.Append("Content-Type: text/html; charset=UTF-8\r\n");
        sb.Append("Content-Transfer-Encoding: base64\r\n\r\n");
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(html));
        for (var i = 0; i < body.Length; i += 76) sb.Append(body.AsSpan(i, Math.Min(76, body.Length - i))).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string HeaderSafe(string s) => s.Replace("\r", "").Replace("\n", "").Replace("<", "").Replace(">", "");
}
