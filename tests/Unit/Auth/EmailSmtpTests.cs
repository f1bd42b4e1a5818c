using System.Security.Authentication;
using System.Text;
using NewApi.Auth.Email;
using NewApi.Tests.Support;

namespace NewApi.Tests.Unit.Auth;

public sealed class EmailSmtpTests
{
    private static SmtpSettings Settings(int port, bool implicitTls = false, bool requireStartTls = false, bool skipVerify = true,
        bool forceLogin = false, string account = "mailer@example.com") =>
        new("127.0.0.1", port, account, "smtp-secret", "noreply@example.com", implicitTls, requireStartTls, skipVerify, forceLogin);

    private static byte[] Message(string body) => Encoding.UTF8.GetBytes("Subject: test\r\n\r\n" + body);

    [Fact]
    public void DotStuff_DoublesLeadingDots_NormalisesBareLf_AndTerminates()
    {
        var stuffed = Encoding.ASCII.GetString(SmtpData.DotStuff(".first\r\nmiddle\n.\r\nlast"u8));
        Assert.Equal("..first\r\nmiddle\r\n..\r\nlast\r\n.\r\n", stuffed);
        Assert.Equal("a\r\n.\r\n", Encoding.ASCII.GetString(SmtpData.DotStuff("a\r\n"u8)));
    }

    [Fact]
    public void EncodeHeader_LeavesAsciiAlone_AndSplitsUtf8IntoShortEncodedWords()
    {
        Assert.Equal("New API code", SmtpData.EncodeHeader("New API code"));
        Assert.Equal("no injection", SmtpData.EncodeHeader("no\r\ninjection").Replace("  ", " "));
        var subject = new string('验', 40) + " 邮箱验证邮件 ✉";
        var encoded = SmtpData.EncodeHeader(subject);
        var words = encoded.Split("\r\n ");
        Assert.True(words.Length > 1);
        Assert.All(words, w => Assert.True(w.Length <= 75 && w.StartsWith("=?UTF-8?B?", StringComparison.Ordinal) && w.EndsWith("?=", StringComparison.Ordinal), w));
        var decoded = string.Concat(words.Select(w => Encoding.UTF8.GetString(Convert.FromBase64String(w[10..^2]))));
        Assert.Equal(subject, decoded);
    }

    [Fact]
    public async Task Plain_OnLoopback_AuthPlain_DeliversUnstuffedBody()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.Plain);
        var body = "line one\r\n.starts with a dot\r\n.\r\nend";
        await new SmtpMailer().SendAsync(Settings(server.Port), "user@example.com", Message(body), CancellationToken.None);
        var mail = await server.NextAsync();
        Assert.False(mail.Encrypted);
        Assert.Equal("PLAIN", mail.AuthMechanism);
        Assert.Equal(("mailer@example.com", "smtp-secret"), (mail.User, mail.Password));
        Assert.Equal("noreply@example.com", mail.From);
        Assert.Equal(["user@example.com"], mail.To);
        Assert.Equal(body + "\r\n", mail.Body);
    }

    [Fact]
    public async Task StartTls_UpgradesBeforeAuthenticating()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.StartTls, FakeSmtpServer.CreateSelfSignedCertificate());
        await new SmtpMailer().SendAsync(Settings(server.Port, requireStartTls: true), "user@example.com", Message("hi"), CancellationToken.None);
        var mail = await server.NextAsync();
        Assert.True(mail.Encrypted);
        var commands = server.Commands;
        Assert.True(commands.IndexOf("STARTTLS") < commands.FindIndex(c => c.StartsWith("AUTH", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ImplicitTls_WithForcedAuthLogin()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.ImplicitTls, FakeSmtpServer.CreateSelfSignedCertificate());
        await new SmtpMailer().SendAsync(Settings(server.Port, implicitTls: true, forceLogin: true), "user@example.com", Message("hi"),
            CancellationToken.None);
        var mail = await server.NextAsync();
        Assert.True(mail.Encrypted);
        Assert.Equal("LOGIN", mail.AuthMechanism);
        Assert.Equal("smtp-secret", mail.Password);
    }

    [Fact]
    public async Task AuthLogin_IsUsedWhenTheServerOffersOnlyLogin()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.Plain, authMechanisms: "LOGIN");
        await new SmtpMailer().SendAsync(Settings(server.Port), "user@example.com", Message("hi"), CancellationToken.None);
        Assert.Equal("LOGIN", (await server.NextAsync()).AuthMechanism);
    }

    [Fact]
    public async Task SelfSignedCertificate_IsRefusedUnlessVerificationIsSkipped()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.StartTls, FakeSmtpServer.CreateSelfSignedCertificate());
        await Assert.ThrowsAsync<AuthenticationException>(() =>
            new SmtpMailer().SendAsync(Settings(server.Port, skipVerify: false), "user@example.com", Message("hi"), CancellationToken.None));
        Assert.False(server.TryTake(out _));
    }

    [Fact]
    public async Task RequiredStartTls_MissingOnServer_Fails()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.Plain);
        var ex = await Assert.ThrowsAsync<SmtpException>(() =>
            new SmtpMailer().SendAsync(Settings(server.Port, requireStartTls: true), "user@example.com", Message("hi"), CancellationToken.None));
        Assert.Contains("STARTTLS", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoAccount_SkipsAuth()
    {
        await using var server = new FakeSmtpServer(FakeSmtpMode.Plain, authMechanisms: "");
        await new SmtpMailer().SendAsync(Settings(server.Port, account: ""), "user@example.com", Message("hi"), CancellationToken.None);
        Assert.Null((await server.NextAsync()).AuthMechanism);
    }

    [Fact]
    public void BuildMessage_HasUtf8HtmlBase64Body_AndEncodedHeaders()
    {
        var raw = Encoding.UTF8.GetString(SmtpData.BuildMessage("站点", "noreply@example.com", "a@b.com", "验证码", "<p>代码</p>",
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        Assert.Contains("Subject: =?UTF-8?B?", raw, StringComparison.Ordinal);
        Assert.Contains("Date: Thu, 02 Jan 2025 03:04:05 +0000\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/html; charset=UTF-8", raw, StringComparison.Ordinal);
        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].Replace("\r\n", "");
        Assert.Equal("<p>代码</p>", Encoding.UTF8.GetString(Convert.FromBase64String(body)));
    }
}
