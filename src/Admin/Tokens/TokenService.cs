using System.Net;
using System.Text;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;
using NewApi.Storage.Tokens;

namespace NewApi.Admin.Tokens;

/// <summary>Rules for API keys (new-api §9.1). Every operation is scoped to the calling user's own tokens.</summary>
public sealed class TokenService(TokenRepository repo, SecretBox box, OptionsStore options, TimeProvider time)
{
    public const int MaxNameBytes = 50;

    public TokenView ToView(TokenRow t, bool revealKey = false)
    {
        var key = Reveal(t);
        return new TokenView
        {
            Id = t.Id, UserId = t.UserId, Key = revealKey ? key : Secrets.MaskKey(key), Status = (int)t.Status, Name = t.Name,
            CreatedTime = t.CreatedTime, AccessedTime = t.AccessedTime, ExpiredTime = t.ExpiredTime, RemainQuota = t.RemainQuota,
            UnlimitedQuota = t.UnlimitedQuota, ModelLimitsEnabled = t.ModelLimitsEnabled, ModelLimits = t.ModelLimits,
            AllowIps = t.AllowIps, UsedQuota = t.UsedQuota, Group = t.Group, CrossGroupRetry = t.CrossGroupRetry,
            RpmLimit = t.RpmLimit, TpmLimit = t.TpmLimit, ConcurrencyLimit = t.ConcurrencyLimit, DeletedAt = t.DeletedAt,
        };
    }

    /// <summary>The key without "sk-", decrypted for its owner.</summary>
    public string Reveal(TokenRow t) => t.KeyEnc.Length == 0 ? "" : box.Decrypt(t.KeyEnc);

    /// <summary>Creates a token; returns (row, null) or (null, error). The full key is returned only to callers that show it once (CLI).</summary>
    public async Task<(TokenRow? Row, string? Key, string? Error)> CreateAsync(long userId, TokenRequest r, CancellationToken ct)
    {
        var error = Validate(r, isCreate: true);
        if (error is not null) return (null, null, error);
        var max = options.Current.GetLong("token_setting.max_user_tokens", 1000);
        if (max > 0 && await repo.CountForUserAsync(userId, ct) >= max) return (null, null, $"已达到最大令牌数量限制 ({max})");
        var key = RandomStrings.ApiKey();
        var now = time.UnixSeconds();
        var row = new TokenRow
        {
            UserId = userId, KeyHash = box.LookupHash(key), KeyEnc = box.Encrypt(key), Status = TokenStatus.Enabled,
            Name = r.Name ?? "", CreatedTime = now, AccessedTime = now, ExpiredTime = r.ExpiredTime ?? -1,
            RemainQuota = r.RemainQuota ?? 0, UnlimitedQuota = r.UnlimitedQuota ?? false, ModelLimitsEnabled = r.ModelLimitsEnabled ?? false,
            ModelLimits = NormaliseList(r.ModelLimits), AllowIps = (r.AllowIps ?? "").Trim(), Group = (r.Group ?? "").Trim(),
            CrossGroupRetry = r.CrossGroupRetry ?? false, RpmLimit = r.RpmLimit ?? 0, TpmLimit = r.TpmLimit ?? 0,
            ConcurrencyLimit = r.ConcurrencyLimit ?? 0,
        };
        var id = await repo.InsertAsync(row, ct);
        return (row with { Id = id }, key, null);
    }

    public async Task<(TokenRow? Row, string? Error)> UpdateAsync(long userId, TokenRequest r, bool statusOnly, CancellationToken ct)
    {
        if (r.Id is not { } id || id <= 0) return (null, "无效的参数");
        var existing = await repo.FindAsync(id, userId, ct);
        if (existing is null) return (null, "令牌不存在");
        if (statusOnly)
        {
            if (r.Status is not { } s || !Enum.IsDefined((TokenStatus)s)) return (null, "无效的参数");
            var status = (TokenStatus)s;
            if (status == TokenStatus.Enabled)
            {
                var now = time.UnixSeconds();
                if (existing.ExpiredTime != -1 && existing.ExpiredTime <= now)
                    return (null, "令牌已过期，无法启用，请先修改令牌过期时间，或者设置为永不过期");
                if (!existing.UnlimitedQuota && existing.RemainQuota <= 0)
                    return (null, "令牌可用额度已用尽，无法启用，请先修改令牌剩余额度，或者设置为无限额度");
            }
            await repo.SetStatusAsync(id, userId, status, ct);
            return (existing with { Status = status }, null);
        }
        var error = Validate(r, isCreate: false);
        if (error is not null) return (null, error);
        var updated = existing with
        {
            Name = r.Name ?? existing.Name, ExpiredTime = r.ExpiredTime ?? existing.ExpiredTime, RemainQuota = r.RemainQuota ?? existing.RemainQuota,
            UnlimitedQuota = r.UnlimitedQuota ?? existing.UnlimitedQuota, ModelLimitsEnabled = r.ModelLimitsEnabled ?? existing.ModelLimitsEnabled,
            ModelLimits = r.ModelLimits is null ? existing.ModelLimits : NormaliseList(r.ModelLimits),
            AllowIps = r.AllowIps?.Trim() ?? existing.AllowIps, Group = r.Group?.Trim() ?? existing.Group,
            CrossGroupRetry = r.CrossGroupRetry ?? existing.CrossGroupRetry, RpmLimit = r.RpmLimit ?? existing.RpmLimit,
            TpmLimit = r.TpmLimit ?? existing.TpmLimit, ConcurrencyLimit = r.ConcurrencyLimit ?? existing.ConcurrencyLimit,
        };
        await repo.UpdateAsync(updated, ct);
        // new-api: an edit that makes an expired/exhausted token valid again does not flip its status; we do, since
        // the relay would otherwise keep refusing a token the owner just topped up.
        var now2 = time.UnixSeconds();
        if (updated.Status is TokenStatus.Expired or TokenStatus.Exhausted
            && (updated.ExpiredTime == -1 || updated.ExpiredTime > now2) && (updated.UnlimitedQuota || updated.RemainQuota > 0))
        {
            await repo.SetStatusAsync(id, userId, TokenStatus.Enabled, ct);
            updated = updated with { Status = TokenStatus.Enabled };
        }
        return (updated, null);
    }

    public string? Validate(TokenRequest r, bool isCreate)
    {
        if (r.Name is { } name && Encoding.UTF8.GetByteCount(name) > MaxNameBytes) return "令牌名称过长";
        var now = time.UnixSeconds();
        if (r.ExpiredTime is { } exp && exp != -1 && exp <= now && isCreate) return "过期时间不能早于当前时间";
        if (r.ExpiredTime is { } exp2 && exp2 < -1) return "无效的过期时间";
        if (!(r.UnlimitedQuota ?? false) && r.RemainQuota is { } q)
        {
            if (q < 0) return "额度值不能为负数";
            var limit = 1_000_000_000L * (long)options.Current.QuotaPerUnit;
            if (q > limit) return $"额度值超出有效范围，最大值为 {limit}";
        }
        if (r.AllowIps is { Length: > 0 } ips)
            foreach (var line in ips.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var entry = line.Replace(",", "");
                if (entry.Length == 0) continue;
                if (!IPAddress.TryParse(entry, out _) && !IPNetwork.TryParse(entry, out _)) return $"无效的 IP 或网段: {entry}";
            }
        if (r.RpmLimit < 0 || r.TpmLimit < 0 || r.ConcurrencyLimit < 0) return "限流值不能为负数";
        if (r.Group is { Length: > 64 }) return "分组名称过长";
        return null;
    }

    private static string NormaliseList(string? list) =>
        string.Join(',', (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// new-api's validated LIKE: without '%' an exact match; with it at most two '%', no '%%', at least two other
    /// characters; '_' and '!' are escaped. Returns (pattern, isLike) or an error.
    /// </summary>
    public static (string? Pattern, bool IsLike, string? Error) BuildPattern(string value, bool allowWildcards)
    {
        if (!value.Contains('%')) return (value, false, null);
        if (!allowWildcards) return (null, false, "令牌数量过多，不支持模糊搜索");
        if (value.Count(c => c == '%') > 2 || value.Contains("%%", StringComparison.Ordinal)) return (null, false, "搜索模式无效");
        if (value.Count(c => c != '%') < 2) return (null, false, "搜索关键词过短");
        var escaped = value.Replace("!", "!!").Replace("_", "!_");
        return (escaped, true, null);
    }
}
