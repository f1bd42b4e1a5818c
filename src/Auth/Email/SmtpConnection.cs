using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace NewApi.Auth.Email;

/// <summary>One SMTP reply: the three-digit code and the text of every line (multi-line replies use "250-").</summary>
public sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public bool IsPositive => Code is >= 200 and < 400;
    public override string ToString() => $"{Code} {string.Join(" / ", Lines)}";
}

/// <summary>
/// Line-level SMTP transport over a socket, optionally wrapped in <see cref="SslStream"/> from the start (implicit TLS)
/// or after STARTTLS. Reads are buffered by hand so the stream can be swapped for TLS without losing bytes.
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    private const int MaxLine = 4096;
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    private SmtpConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public bool IsEncrypted => _stream is SslStream;

    public static async Task<SmtpConnection> ConnectAsync(string host, int port, bool implicitTls, bool skipCertificateCheck, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SmtpConnection? conn = null;
        try
        {
            await socket.ConnectAsync(host, port, ct);
            conn = new SmtpConnection(socket, new NetworkStream(socket, ownsSocket: false));
            if (implicitTls) await conn.UpgradeToTlsAsync(host, skipCertificateCheck, ct);
            var ready = conn;
            conn = null;
            return ready;
        }
        finally
        {
            if (conn is not null) await conn.DisposeAsync();
            else if (!socket.Connected) socket.Dispose();
        }
    }

    public async Task UpgradeToTlsAsync(string host, bool skipCertificateCheck, CancellationToken ct)
    {
        if (_start != _end) throw new SmtpException("server sent data before the TLS handshake");
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.None,   // the OS default: TLS 1.2 and 1.3
            RemoteCertificateValidationCallback = skipCertificateCheck ? static (_, _, _, _) => true : null,
        }, ct);
        _stream = ssl;
    }

    public async Task<SmtpReply> CommandAsync(string line, CancellationToken ct)
    {
        await WriteLineAsync(line, ct);
        return await ReadReplyAsync(ct);
    }

    public async Task WriteLineAsync(string line, CancellationToken ct)
    {
        if (line.Contains('\r') || line.Contains('\n')) throw new SmtpException("SMTP command contains a line break");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Sends the message body after DATA's 354: dot-stuffed, terminated by CRLF "." CRLF.</summary>
    public async Task WriteDataAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await _stream.WriteAsync(SmtpData.DotStuff(message.Span), ct);
        await _stream.FlushAsync(ct);
    }

    public async Task<SmtpReply> ReadReplyAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code)) throw new SmtpException("malformed SMTP reply: " + Trim(line));
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] != '-') return new SmtpReply(code, lines);
            if (lines.Count > 100) throw new SmtpException("SMTP reply too long");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var sb = new StringBuilder();
        while (true)
        {
            for (var i = _start; i < _end; i++)
            {
                if (_buffer[i] != (byte)'\n') continue;
                sb.Append(Encoding.UTF8.GetString(_buffer, _start, i - _start));
                _start = i + 1;
                return sb.ToString().TrimEnd('\r');
            }
            sb.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
            if (sb.Length > MaxLine) throw new SmtpException("SMTP reply line too long");
            _start = _end = 0;
            var n = await _stream.ReadAsync(_buffer, ct);
            if (n == 0) throw new SmtpException("SMTP server closed the connection");
            _end = n;
        }
    }

    private static string Trim(string s) => s.Length > 200 ? s[..200] : s;

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
