using NewApi.Auth;
using NewApi.Common;
using NewApi.Storage.Options;
using NewApi.Storage.Setup;
using NewApi.Storage.Users;

namespace NewApi.Admin.Site;

/// <summary>First-run setup (POST /api/setup and `newapi setup`): creates root once, records the setups row.</summary>
public sealed class SetupService(SetupRepository setup, UserRepository users, OptionsStore options, PasswordHasher hasher, TimeProvider time)
{
    public const long RootQuota = 100_000_000;

    /// <summary>Returns null on success, else the error text.</summary>
    public async Task<string?> SetupAsync(string username, string password, string confirm, bool selfUse, bool demo, CancellationToken ct)
    {
        if (await setup.IsInitialisedAsync(ct)) return "系统已经初始化完成";
        if (!await users.AnyRootAsync(ct))
        {
            username = username.Trim();
            // NewApi: New API accepted an empty root username; we refuse it (and names over 12 characters, as New API).
            if (username.Length == 0) return "用户名不能为空";
            if (username.Length > 12) return "用户名长度不能超过12个字符";
            if (password != confirm) return "两次输入的密码不一致";
            if (password.Length < 8) return "密码长度至少为8个字符";
            if (password.Length > 128) return "密码长度不能超过128个字符";
            await users.InsertAsync(new UserRepository.NewUser(username, hasher.Hash(password), "Root User", Role.Root, RootQuota, "default"),
                time.UnixSeconds(), ct);
        }
        await options.SetManyAsync([new("SelfUseModeEnabled", selfUse ? "true" : "false"), new("DemoSiteEnabled", demo ? "true" : "false")], ct);
        await setup.MarkInitialisedAsync(BuildInfo.Version, time.UnixSeconds(), ct);
        return null;
    }
}
