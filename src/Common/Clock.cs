namespace NewApi.Common;

public static class TimeExtensions
{
    public static long UnixSeconds(this TimeProvider time) => time.GetUtcNow().ToUnixTimeSeconds();
}
