using NewApi.Storage.Logs;
using NewApi.Storage.Users;

namespace NewApi.Storage.Checkins;

public sealed record CheckinRecord(string CheckinDate, long QuotaAwarded);

public sealed record CheckinStats(long TotalQuota, long TotalCheckins, int CheckinCount, bool CheckedInToday, List<CheckinRecord> Records);

/// <summary>Daily check-ins: the unique (user_id, checkin_date) pair makes a second check-in the same day impossible, even when racing.</summary>
public sealed class CheckinRepository(SqliteDb db, UserRepository users)
{
    /// <summary>Records the check-in, credits the quota and writes the log in one transaction; false when already checked in that day.</summary>
    public async Task<bool> TryCheckinAsync(long userId, string date, long quota, long now, LogRow log, CancellationToken ct = default)
    {
        var done = await db.WriteAsync(async (c, tx) =>
        {
            var inserted = await c.ExecuteAsync("""
                INSERT INTO checkins(user_id, checkin_date, quota_awarded, created_at) VALUES ($u, $d, $q, $t) ON CONFLICT DO NOTHING
                """, tx, ct, ("$u", userId), ("$d", date), ("$q", quota), ("$t", now));
            if (inserted == 0) return false;
            await UserRepository.AddQuotaAsync(c, tx, userId, quota, ct);
            await LogRepository.InsertAsync(c, tx, log, ct);
            return true;
        }, ct);
        if (done) users.RaiseInvalidated(userId);
        return done;
    }

    /// <summary>Lifetime totals plus the records of one month (<paramref name="month"/> = "YYYY-MM").</summary>
    public async Task<CheckinStats> StatsAsync(long userId, string month, string today, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var records = await conn.QueryAsync("""
            SELECT checkin_date, quota_awarded FROM checkins WHERE user_id = $u AND checkin_date >= $from AND checkin_date <= $to ORDER BY checkin_date
            """, null, r => new CheckinRecord(r.Str(0), r.Long(1)), ct, ("$u", userId), ("$from", month + "-01"), ("$to", month + "-31"));
        var total = await conn.ScalarLongAsync("SELECT COUNT(1) FROM checkins WHERE user_id = $u", null, ct, ("$u", userId));
        var quota = await conn.ScalarLongAsync("SELECT COALESCE(SUM(quota_awarded), 0) FROM checkins WHERE user_id = $u", null, ct, ("$u", userId));
        var todayDone = await conn.ScalarLongAsync("SELECT COUNT(1) FROM checkins WHERE user_id = $u AND checkin_date = $d", null, ct,
            ("$u", userId), ("$d", today)) > 0;
        return new CheckinStats(quota, total, records.Count, todayDone, records);
    }
}
