namespace NewApi.Auth.Passkeys;

/// <summary>WebAuthn's binary encoding on the wire (RFC 4648 §5, no padding).</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes base64url (or plain base64, which some clients send); null when malformed.</summary>
    public static byte[]? Decode(string? s)
    {
        if (string.IsNullOrEmpty(s) || s.Length > 1 << 20) return null;
        var t = s.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        t = t.PadRight(t.Length + (4 - t.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(t);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
