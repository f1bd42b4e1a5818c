using NewApi.Storage.Options;

namespace NewApi.Auth.Email;

/// <summary>New API's SMTP options. Port 465 or SMTPSSLEnabled means implicit TLS; SMTPStartTLSEnabled makes STARTTLS mandatory.</summary>
public sealed record SmtpSettings(string Host, int Port, string Account, string Password, string From, bool ImplicitTls, bool RequireStartTls,
    bool SkipCertificateCheck, bool ForceAuthLogin)
{
    public bool Configured => Host.Length > 0;

    public static SmtpSettings FromOptions(OptionsSnapshot o)
    {
        var port = (int)o.GetLong("SMTPPort", 587);
        var account = o.Get("SMTPAccount").Trim();
        var from = o.Get("SMTPFrom").Trim();
        return new SmtpSettings(o.Get("SMTPServer").Trim(), port is > 0 and < 65536 ? port : 587, account, o.Get("SMTPToken"),
            from.Length > 0 ? from : account, o.GetBool("SMTPSSLEnabled") || port == 465, o.GetBool("SMTPStartTLSEnabled"),
            o.GetBool("SMTPInsecureSkipVerify"), o.GetBool("SMTPForceAuthLogin"));
    }
}
