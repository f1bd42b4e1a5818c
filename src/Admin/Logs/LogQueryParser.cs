using System.Globalization;
using Microsoft.AspNetCore.Http;
using NewApi.Admin.Tokens;
using NewApi.Storage.Logs;

namespace NewApi.Admin.Logs;

/// <summary>
/// Reads New API's log filters from the query string. Numbers that do not parse count as 0 (= no filter), as Go's
/// ignored strconv errors do. Username and model name are exact unless they hold '%', then a validated LIKE (the rules of
/// the token search). Self queries always carry the caller's id and never the admin-only username/channel filters.
/// </summary>
public static class LogQueryParser
{
    public static (LogFilter Filter, string? Error) Parse(IQueryCollection q, long? selfUserId)
    {
        var filter = new LogFilter
        {
            Type = Long(q, "type"),
            Start = Long(q, "start_timestamp"),
            End = Long(q, "end_timestamp"),
            UserId = selfUserId,
            TokenName = Str(q, "token_name"),
            Group = Str(q, "group"),
            RequestId = Str(q, "request_id"),
            UpstreamRequestId = Str(q, "upstream_request_id"),
            ChannelId = selfUserId is null ? Long(q, "channel") : 0,
        };
        var (model, modelLike, modelError) = Pattern(Str(q, "model_name"));
        if (modelError is not null) return (filter, modelError);
        filter = filter with { ModelName = model, ModelNameLike = modelLike };
        if (selfUserId is not null) return (filter, null);
        var (user, userLike, userError) = Pattern(Str(q, "username"));
        return (filter with { Username = user, UsernameLike = userLike }, userError);
    }

    /// <summary>First value of a query parameter ("" when absent), like gin's c.Query.</summary>
    public static string Str(IQueryCollection q, string name) => q.TryGetValue(name, out var v) && v.Count > 0 ? v[0] ?? "" : "";

    public static long Long(IQueryCollection q, string name) =>
        long.TryParse(Str(q, name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static (string Value, bool Like, string? Error) Pattern(string value)
    {
        if (value.Length == 0) return ("", false, null);
        var (pattern, like, error) = TokenService.BuildPattern(value, allowWildcards: true);
        return (pattern ?? "", like, error);
    }
}
