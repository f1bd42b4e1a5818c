using System.Globalization;
using NewApi.Config;

namespace NewApi.Admin.Users;

/// <summary>Calendar days for check-in, in the configured time zone (server.time_zone / TZ), else the host's.</summary>
public sealed class CheckinCalendar(ServerSection server, TimeProvider time)
{
    private readonly TimeZoneInfo _zone = Resolve(server.TimeZone);

    public string Today() => TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static TimeZoneInfo Resolve(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Local;
        }
    }
}
