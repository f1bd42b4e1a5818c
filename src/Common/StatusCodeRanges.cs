namespace NewApi.Common;

/// <summary>Comma lists of status codes and ranges ("401,429,500-599"), as New API's retry/disable options.</summary>
public static class StatusCodeRanges
{
    public static bool TryParse(string s, out List<(int From, int To)> ranges)
    {
        ranges = [];
        foreach (var part in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (!int.TryParse(part, out var c) || c is < 100 or > 599) return false;
                ranges.Add((c, c));
            }
            else
            {
                if (!int.TryParse(part.AsSpan(0, dash), out var a) || !int.TryParse(part.AsSpan(dash + 1), out var b) || a > b || a < 100 || b > 599)
                    return false;
                ranges.Add((a, b));
            }
        }
        return true;
    }
}
