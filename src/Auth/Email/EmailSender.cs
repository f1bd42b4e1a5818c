using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using NewApi.Storage.Options;

namespace NewApi.Auth.Email;

/// <summary>Sends one HTML mail with the SMTP options of the moment; failures come back as text (New API shows them to the user).</summary>
public sealed class EmailSender(OptionsStore options, SmtpMailer mailer, TimeProvider time, ILogger<EmailSender> log)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Null on success, else a message fit for the API reply (no credentials in it).</summary>
    public async Task<string?> SendAsync(string to, string subject, string html, CancellationToken ct)
    {
        var o = options.Current;
        var settings = SmtpSettings.FromOptions(o);
        if (!settings.Configured) return "SMTP 服务器未配置";
        var message = SmtpData.BuildMessage(o.Get("SystemName", "New API"), settings.From, to, subject, html, time.GetUtcNow());
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await mailer.SendAsync(settings, to, message, linked.Token);
            return null;
        }
        catch (Exception ex) when (ex is SmtpException or IOException or SocketException or AuthenticationException
                                       || (ex is OperationCanceledException && timeout.IsCancellationRequested && !ct.IsCancellationRequested))
        {
            var reason = ex is OperationCanceledException ? "timed out" : ex.Message;
            EmailLog.SendFailed(log, settings.Host, settings.Port, reason);
            return "发送邮件失败：" + reason;
        }
    }
}
