using System.Net;
using System.Text;

namespace NewApi.Auth.Email;

/// <summary>
/// A small SMTP client (RFC 5321): EHLO, STARTTLS or implicit TLS, AUTH PLAIN/LOGIN, MAIL/RCPT/DATA, QUIT.
/// Written for this gateway because System.Net.Mail.SmtpClient is obsolete and lacks implicit TLS.
/// </summary>
public sealed class SmtpMailer
{
    public const string ClientName = "localhost";

    public async Task SendAsync(SmtpSettings s, string to, byte[] message, CancellationToken ct)
    {
        if (!s.Configured) throw new SmtpException("SMTP server is not configured");
        await using var conn = await SmtpConnection.ConnectAsync(s.Host, s.Port, s.ImplicitTls, s.SkipCertificateCheck, ct);
        Expect(await conn.ReadReplyAsync(ct), 220, "greeting");
        var ehlo = Expect(await conn.CommandAsync("EHLO " + ClientName, ct), 250, "EHLO");

        if (!conn.IsEncrypted && (s.RequireStartTls || Advertises(ehlo, "STARTTLS")))
        {
            if (!Advertises(ehlo, "STARTTLS")) throw new SmtpException("STARTTLS is required but the server does not offer it");
            Expect(await conn.CommandAsync("STARTTLS", ct), 220, "STARTTLS");
            await conn.UpgradeToTlsAsync(s.Host, s.SkipCertificateCheck, ct);
            ehlo = Expect(await conn.CommandAsync("EHLO " + ClientName, ct), 250, "EHLO");
        }

        if (s.Account.Length > 0) await AuthenticateAsync(conn, s, ehlo, ct);
        Expect(await conn.CommandAsync("MAIL FROM:<" + s.From + ">", ct), 250, "MAIL FROM");
        Expect(await conn.CommandAsync("RCPT TO:<" + to + ">", ct), 250, "RCPT TO");
        Expect(await conn.CommandAsync("DATA", ct), 354, "DATA");
        await conn.WriteDataAsync(message, ct);
        Expect(await conn.ReadReplyAsync(ct), 250, "message");
        await conn.WriteLineAsync("QUIT", ct);   // the reply to QUIT is not awaited: the mail is already accepted
    }

    private static async Task AuthenticateAsync(SmtpConnection conn, SmtpSettings s, SmtpReply ehlo, CancellationToken ct)
    {
        // Like Go's net/smtp PlainAuth (New API), credentials never cross an unencrypted link except to this machine.
        if (!conn.IsEncrypted && !IsLoopback(s.Host))
            throw new SmtpException("the SMTP server offers no TLS; refusing to send the password unencrypted");
        var mechanisms = AuthMechanisms(ehlo);
        if (!s.ForceAuthLogin && mechanisms.Contains("PLAIN"))
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + s.Account + "\0" + s.Password));
            Expect(await conn.CommandAsync("AUTH PLAIN " + token, ct), 235, "AUTH PLAIN");
            return;
        }
        if (!s.ForceAuthLogin && !mechanisms.Contains("LOGIN"))
            throw new SmtpException("the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN");
        Expect(await conn.CommandAsync("AUTH LOGIN", ct), 334, "AUTH LOGIN");
        Expect(await conn.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(s.Account)), ct), 334, "AUTH LOGIN user");
        Expect(await conn.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(s.Password)), ct), 235, "AUTH LOGIN password");
    }

    private static SmtpReply Expect(SmtpReply reply, int code, string step) =>
        reply.Code == code ? reply : throw new SmtpException($"SMTP {step} refused: {reply}");

    private static bool Advertises(SmtpReply ehlo, string keyword) =>
        ehlo.Lines.Skip(1).Any(l => l.Equals(keyword, StringComparison.OrdinalIgnoreCase)
                                    || l.StartsWith(keyword + " ", StringComparison.OrdinalIgnoreCase));

    private static HashSet<string> AuthMechanisms(SmtpReply ehlo)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in ehlo.Lines.Skip(1))
            if (line.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase) || line.StartsWith("AUTH=", StringComparison.OrdinalIgnoreCase))
                foreach (var m in line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries)) set.Add(m);
        return set;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
