using NewApi.Storage.Options;

namespace NewApi.Auth.Registration;

/// <summary>
/// Field rules shared by registration, admin create/edit and self-service. New API: username and display name at most
/// 20 characters, password 8–20, e-mail at most 50, remark at most 255.
/// </summary>
public static class AccountRules
{
    public const int MaxUsername = 20;
    public const int MaxDisplayName = 20;
    public const int MinPassword = 8;
    // NewApi: New API capped passwords at 20 characters, which rejects passphrases; 128 leaves room for them.
    public const int MaxPassword = 128;
    public const int MaxEmail = 50;
    public const int MaxRemark = 255;

    public const string InvalidInput = "输入不合法";

    /// <summary>Null when valid, else the reason.</summary>
    public static string? Username(string username)
    {
        if (username.Length == 0) return "用户名不能为空";
        if (Length(username) > MaxUsername) return $"用户名长度不能超过 {MaxUsername} 个字符";
        // NewApi: New API accepted any character; '%' let a username act as a LIKE pattern in per-user log statistics,
        // and control characters break log views, so both are refused.
        if (username.Any(c => char.IsControl(c) || c == '%')) return "用户名包含非法字符";
        return null;
    }

    public static string? Password(string password) =>
        password.Length < MinPassword ? $"密码长度不能少于 {MinPassword} 个字符"
        : password.Length > MaxPassword ? $"密码长度不能超过 {MaxPassword} 个字符"
        : null;

    public static string? DisplayName(string name) =>
        Length(name) > MaxDisplayName ? $"显示名称长度不能超过 {MaxDisplayName} 个字符"
        : name.Any(char.IsControl) ? "显示名称包含非法字符"
        : null;

    public static string? Remark(string remark) => Length(remark) > MaxRemark ? $"备注长度不能超过 {MaxRemark} 个字符" : null;

    /// <summary>A plain addr-spec: one '@', printable ASCII without spaces, a dotted domain, at most 50 characters.</summary>
    public static bool IsEmail(string email)
    {
        if (email.Length is 0 or > MaxEmail) return false;
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1) return false;
        if (email.Any(c => c is <= ' ' or > '~' or '<' or '>' or '(' or ')' or ',' or ';' or ':' or '\\' or '"' or '[' or ']')) return false;
        var domain = email[(at + 1)..];
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal);
    }

    /// <summary>The admin's e-mail policy (domain allow-list, alias ban); null when the address is acceptable.</summary>
    public static string? EmailPolicy(string email, OptionsSnapshot o)
    {
        var at = email.LastIndexOf('@');
        var local = email[..at];
        var domain = email[(at + 1)..];
        if (o.GetBool("EmailDomainRestrictionEnabled"))
        {
            var allowed = o.Get("EmailDomainWhitelist").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!allowed.Any(d => d.Equals(domain, StringComparison.OrdinalIgnoreCase)))
                return "管理员启用了邮箱域名白名单，您的邮箱地址的域名不在白名单中";
        }
        if (o.GetBool("EmailAliasRestrictionEnabled") && (local.Contains('+') || local.Contains('.')))
            return "管理员已启用邮箱地址别名限制，您的邮箱地址由于包含特殊符号而被拒绝。";
        return null;
    }

    private static int Length(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
