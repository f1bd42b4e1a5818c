using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace NewApi.Tests.Support;

public enum FakeSmtpMode { Plain, StartTls, ImplicitTls }

/// <summary>A mail the fake server accepted: envelope, raw (un-stuffed) DATA, decoded subject and body, and how it arrived.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Raw, string Subject, string Body, bool Encrypted,
    string? AuthMechanism, string? User, string? Password);

/// <summary>
/// A scripted SMTP server on 127.0.0.1:0: plain, STARTTLS or implicit TLS (with a self-signed certificate made in the
/// test), AUTH PLAIN/LOGIN. Accepted mails arrive on <see cref="NextAsync"/>.
/// </summary>
public sealed partial class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<ReceivedMail> _mails = Channel.CreateUnbounded<ReceivedMail>();
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2? _cert;
    private readonly Task _accept;

    public FakeSmtpServer(FakeSmtpMode mode, X509Certificate2? certificate = null, string authMechanisms = "PLAIN LOGIN")
    {
        Mode = mode;
        _cert = certificate;
        AuthMechanisms = authMechanisms;
        if (mode != FakeSmtpMode.Plain && certificate is null) throw new ArgumentException("TLS modes need a certificate");
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public FakeSmtpMode Mode { get; }
    public string AuthMechanisms { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    /// <summary>Every command line received, across connections (AUTH arguments included).</summary>
    public List<string> Commands { get; } = [];

    public async Task<ReceivedMail> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _mails.Reader.ReadAsync(cts.Token);
    }

    public bool TryTake(out ReceivedMail? mail) => _mails.Reader.TryRead(out mail);

    /// <summary>A throw-away certificate for CN=localhost / 127.0.0.1, valid for a day.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var session = new Session(client.GetStream());
        try
        {
            if (Mode == FakeSmtpMode.ImplicitTls) await session.StartTlsAsync(_cert!);
            await session.WriteAsync("220 fake.smtp ESMTP ready");
            await ConverseAsync(session);
        }
        catch (IOException) { }
        catch (AuthenticationException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ConverseAsync(Session s)
    {
        while (await s.ReadLineAsync() is { } line)
        {
            lock (Commands) Commands.Add(line);
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    var caps = new List<string> { "fake.smtp", "8BITMIME", "SMTPUTF8" };
                    if (Mode == FakeSmtpMode.StartTls && !s.Encrypted) caps.Add("STARTTLS");
                    if (AuthMechanisms.Length > 0) caps.Add("AUTH " + AuthMechanisms);
                    for (var i = 0; i < caps.Count; i++) await s.WriteAsync((i == caps.Count - 1 ? "250 " : "250-") + caps[i]);
                    break;
                case "STARTTLS":
                    await s.WriteAsync("220 go ahead");
                    await s.StartTlsAsync(_cert!);
                    break;
                case "AUTH":
                    await AuthAsync(s, line);
                    break;
                case "MAIL":
                    s.From = Between(line);
                    s.To.Clear();
                    await s.WriteAsync("250 ok");
                    break;
                case "RCPT":
                    s.To.Add(Between(line));
                    await s.WriteAsync("250 ok");
                    break;
                case "DATA":
                    await s.WriteAsync("354 end with <CRLF>.<CRLF>");
                    var raw = await ReadDataAsync(s);
                    await s.WriteAsync("250 queued");
                    await _mails.Writer.WriteAsync(Parse(s, raw));
                    break;
                case "QUIT":
                    await s.WriteAsync("221 bye");
                    return;
                default:
                    await s.WriteAsync("502 not implemented");
                    break;
            }
        }
    }

    private static async Task AuthAsync(Session s, string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        s.Mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
        if (s.Mechanism == "PLAIN" && parts.Length > 2)
        {
            var fields = Encoding.UTF8.GetString(Convert.FromBase64String(parts[2])).Split('\0');
            (s.User, s.Password) = (fields[1], fields[2]);
        }
        else if (s.Mechanism == "LOGIN")
        {
            await s.WriteAsync("334 VXNlcm5hbWU6");
            s.User = Encoding.UTF8.GetString(Convert.FromBase64String(await s.ReadLineAsync() ?? ""));
            await s.WriteAsync("334 UGFzc3dvcmQ6");
            s.Password = Encoding.UTF8.GetString(Convert.FromBase64String(await s.ReadLineAsync() ?? ""));
        }
        else
        {
            await s.WriteAsync("504 unsupported mechanism");
            return;
        }
        await s.WriteAsync("235 authenticated");
    }

    private static async Task<string> ReadDataAsync(Session s)
    {
        var sb = new StringBuilder();
        while (await s.ReadLineAsync() is { } line)
        {
            if (line == ".") break;
            sb.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        }
        return sb.ToString();
    }

    private static ReceivedMail Parse(Session s, string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = split < 0 ? raw : raw[..split];
        var body = split < 0 ? "" : raw[(split + 4)..];
        var unfolded = headers.Replace("\r\n ", " ");
        var subject = Regex.Match(unfolded, "^Subject: (.*)$", RegexOptions.Multiline).Groups[1].Value.TrimEnd('\r');
        subject = EncodedWord().Replace(subject, m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value)));
        if (headers.Contains("Content-Transfer-Encoding: base64", StringComparison.OrdinalIgnoreCase))
            body = Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "")));
        return new ReceivedMail(s.From, [.. s.To], raw, subject, body, s.Encrypted, s.Mechanism, s.User, s.Password);
    }

    private static string Between(string line)
    {
        var a = line.IndexOf('<');
        var b = line.LastIndexOf('>');
        return a >= 0 && b > a ? line[(a + 1)..b] : "";
    }

    [GeneratedRegex(@"=\?UTF-8\?B\?([^?]*)\?=\s?", RegexOptions.IgnoreCase)]
    private static partial Regex EncodedWord();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accept; } catch (OperationCanceledException) { }
        _stop.Dispose();
        _cert?.Dispose();
    }

    private sealed class Session(Stream stream)
    {
        private Stream _stream = stream;
        public bool Encrypted => _stream is SslStream;
        public string From { get; set; } = "";
        public List<string> To { get; } = [];
        public string? Mechanism { get; set; }
        public string? User { get; set; }
        public string? Password { get; set; }

        public async Task StartTlsAsync(X509Certificate2 cert)
        {
            var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert });
            _stream = ssl;
        }

        public async Task WriteAsync(string line)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
            await _stream.FlushAsync();
        }

        /// <summary>Byte at a time, so nothing is buffered past a STARTTLS line.</summary>
        public async Task<string?> ReadLineAsync()
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                if (await _stream.ReadAsync(one) == 0) return bytes.Count == 0 ? null : Encoding.UTF8.GetString([.. bytes]);
                if (one[0] == (byte)'\n') return Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r');
                bytes.Add(one[0]);
            }
        }
    }
}
