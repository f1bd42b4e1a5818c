using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using NewApi.Auth.Email;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;
using NewApi.Storage.Users;
using NewApi.Storage.Verification;

namespace NewApi.Auth.Registration;

/// <summary>What a new account starts from (registration, admin create). A non-null code is checked and consumed.</summary>
public sealed record AccountDraft(string Username, string Password, string DisplayName, Role Role, string Email = "",
    string InviterAffCode = "", string? VerificationCode = null);

/// <summary>
/// Creates users the way New API does (quota from QuotaForNewUser, a 4-character aff code, role-based sidebar
/// defaults, invite rewards when payment compliance is confirmed), in one transaction with the e-mail code check.
/// </summary>
public sealed class AccountCreator(SqliteDb db, UserRepository users, OptionsStore options, PasswordHasher hasher,
    VerificationCodes codes, TimeProvider time)
{
    public const string UserExists = "用户名已存在，或已注销";
    public const string EmailTaken = "邮箱地址已被占用";
    public const string BadCode = "验证码错误或已过期";
    public const string DefaultGroup = "default";

    public async Task<(long Id, string? Error)> CreateAsync(AccountDraft d, CancellationToken ct)
    {
        // PBKDF2 runs before the write transaction so the single writer is never held for it.
        var hash = hasher.Hash(d.Password);
        var inviter = d.InviterAffCode.Length > 0 ? await users.FindByAffCodeAsync(d.InviterAffCode, ct) : null;
        var o = options.Current;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var result = await db.WriteAsync<(long, string?)>(async (c, tx) =>
        {
            if (await UserRepository.UsernameTakenAsync(c, tx, d.Username, 0, ct)) return (0, UserExists);
            if (d.Email.Length > 0 && await UserRepository.EmailTakenAsync(c, tx, d.Email, 0, ct)) return (0, EmailTaken);
            if (d.VerificationCode is { } code
                && await codes.ConsumeAsync(c, tx, VerificationCodes.EmailVerification, d.Email, code, ct) != CodeCheck.Ok)
                return (0, BadCode);
            var aff = await NewAffCodeAsync(c, tx, ct);
            var quota = o.GetLong("QuotaForNewUser");
            var id = await UserRepository.InsertAsync(c, tx, new UserRepository.NewUser(d.Username, hash, d.DisplayName, d.Role, quota,
                DefaultGroup, d.Email, inviter?.Id ?? 0, aff, DefaultSetting(d.Role)), now, ct);
            if (quota > 0) await LogAsync(c, tx, id, d.Username, "新用户注册赠送 " + QuotaText.Format(quota, o), now, ct);
            if (inviter is not null) await RewardInviteAsync(c, tx, o, id, d.Username, inviter, now, ct);
            return (id, null);
        }, ct);
        if (inviter is not null && result.Item2 is null) users.RaiseInvalidated(inviter.Id);
        return result;
    }

    /// <summary>New API: invite rewards are paid only after the root confirmed payment compliance; the invite is counted anyway.</summary>
    private static async Task RewardInviteAsync(SqliteConnection c, SqliteTransaction tx, OptionsSnapshot o, long id, string username,
        UserRow inviter, long now, CancellationToken ct)
    {
        var compliant = o.GetBool("payment_setting.compliance_confirmed");
        var forInvitee = compliant ? Math.Max(0, o.GetLong("QuotaForInvitee")) : 0;
        var forInviter = compliant ? Math.Max(0, o.GetLong("QuotaForInviter")) : 0;
        if (forInvitee > 0)
        {
            await UserRepository.AddQuotaAsync(c, tx, id, forInvitee, ct);
            await LogAsync(c, tx, id, username, "使用邀请码赠送 " + QuotaText.Format(forInvitee, o), now, ct);
        }
        if (forInviter > 0) await LogAsync(c, tx, inviter.Id, inviter.Username, "邀请用户赠送 " + QuotaText.Format(forInviter, o), now, ct);
        await UserRepository.RecordInviteAsync(c, tx, inviter.Id, forInviter, ct);
    }

    private static Task<int> LogAsync(SqliteConnection c, SqliteTransaction tx, long userId, string username, string content, long now,
        CancellationToken ct) =>
        LogRepository.InsertAsync(c, tx, new LogRow { UserId = userId, Username = username, CreatedAt = now, Type = LogType.System, Content = content }, ct);

    /// <summary>New API's own invite code: 4 random alphanumerics, unique among users.</summary>
    public static async Task<string> NewAffCodeAsync(SqliteConnection c, SqliteTransaction? tx, CancellationToken ct)
    {
        for (var length = 4; ; length++)
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var code = RandomStrings.Alnum(length);
                if (!await UserRepository.AffCodeTakenAsync(c, tx, code, ct)) return code;
            }
    }

    /// <summary>The user setting New API writes for a new account: the sidebar sections the role may see.</summary>
    public static string DefaultSetting(Role role)
    {
        var sidebar = new JsonObject
        {
            ["chat"] = new JsonObject { ["enabled"] = true, ["playground"] = true, ["chat"] = true },
            ["console"] = new JsonObject
            {
                ["enabled"] = true, ["detail"] = true, ["token"] = true, ["log"] = true, ["midjourney"] = true, ["task"] = true,
            },
            ["personal"] = new JsonObject { ["enabled"] = true, ["topup"] = true, ["personal"] = true },
        };
        if (role >= Role.Admin)
            sidebar["admin"] = new JsonObject
            {
                ["enabled"] = true, ["channel"] = true, ["models"] = true, ["redemption"] = true, ["user"] = true, ["setting"] = role == Role.Root,
            };
        return new JsonObject { ["sidebar_modules"] = sidebar.ToJsonString() }.ToJsonString();
    }
}
