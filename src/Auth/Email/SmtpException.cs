namespace NewApi.Auth.Email;

/// <summary>An SMTP conversation failed: an unexpected reply, a refused step, or a TLS requirement the server cannot meet.</summary>
public sealed class SmtpException(string message) : Exception(message);
