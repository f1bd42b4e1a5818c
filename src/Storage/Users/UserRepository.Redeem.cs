using NewApi.Storage.Logs;

namespace NewApi.Storage.Users;

/// <summary>Redeem-code top-up (POST /api/user/topup).</summary>
public sealed partial class UserRepository
{
    public sealed record Redeemed(long RedemptionId, long Quota);

    /// <summary>
    /// Marks an enabled, unexpired code used by <paramref name="userId"/> and credits its quota, in one transaction, so
    /// two requests racing on one code cannot both win. The code may be stored as given or as its lookup hash.
    /// </summary>
    public async Task<Redeemed?> RedeemAsync(long userId, string key, string keyHash, long now, Func<Redeemed, LogRow> log,
        CancellationToken ct = default)
    {
        var result = await db.WriteAsync<Redeemed?>(async (c, tx) =>
        {
            var found = await c.QuerySingleAsync("""
                SELECT id, quota FROM redemptions
                WHERE ("key" = $k OR "key" = $h) AND deleted_at IS NULL AND status = 1 AND (expired_time = 0 OR expired_time > $now) LIMIT 1
                """, tx, r => new Redeemed(r.Long(0), r.Long(1)), ct, ("$k", key), ("$h", keyHash), ("$now", now));
            if (found is null) return null;
            var used = await c.ExecuteAsync("UPDATE redemptions SET status = 3, redeemed_time = $now, used_user_id = $u WHERE id = $id AND status = 1",
                tx, ct, ("$now", now), ("$u", userId), ("$id", found.RedemptionId));
            if (used != 1 || await AddQuotaAsync(c, tx, userId, found.Quota, ct) != 1) return null;
            await LogRepository.InsertAsync(c, tx, log(found), ct);
            return found;
        }, ct);
        if (result is not null) Invalidated?.Invoke(userId);
        return result;
    }
}
