using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Storage;

namespace NewApi.Billing.Ledger;

/// <summary>
/// Before the server listens: a reservation still in quota_reservations belongs to a request the previous process
/// never settled (crash, kill -9). Its quota goes back to the user and the token, and the row is removed, in one
/// transaction.
/// </summary>
internal sealed class ReservationRecovery(SqliteDb db, ILogger<ReservationRecovery> logger) : IStartupTask
{
    public async Task RunAsync(CancellationToken ct)
    {
        var (count, total) = await db.WriteAsync(async (conn, tx) =>
        {
            var rows = await conn.QueryAsync(LedgerSql.ListReservations, tx,
                r => new Hold(r.Long(0), r.Long(1), r.Long(2), !r.Bool(4), r.Long(3)), ct);
            var batch = new LedgerBatch();
            foreach (var hold in rows) batch.AddRelease(hold);
            if (rows.Count > 0) await batch.CommitAsync(conn, tx, 0, "", ct);
            return (rows.Count, rows.Sum(h => h.Amount));
        }, ct);
        if (count > 0) BillingLog.ReservationsRefunded(logger, count, total);
    }
}
