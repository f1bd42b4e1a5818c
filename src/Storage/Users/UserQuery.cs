namespace NewApi.Storage.Users;

public enum UserSort { Id, Username, Quota, Group, CreatedAt, LastLoginAt }

/// <summary>
/// Admin user list/search filters (New API's GET /api/user/ and /api/user/search). Without a status filter the list
/// includes soft-deleted users; status -1 means "soft-deleted only", any other status means live users with it.
/// </summary>
public sealed record UserQuery
{
    public string? Keyword { get; init; }
    public string? Group { get; init; }
    public int? Role { get; init; }
    public int? Status { get; init; }
    public UserSort Sort { get; init; } = UserSort.Id;
    public bool Ascending { get; init; }

    /// <summary>Constant SQL fragments joined with AND; every value is a parameter.</summary>
    internal (string Sql, (string, object?)[] Args) Where()
    {
        var parts = new List<string>();
        var args = new List<(string, object?)>();
        if (!string.IsNullOrEmpty(Keyword))
        {
            args.Add(("$kw", "%" + SqlExtensions.EscapeLike(Keyword) + "%"));
            if (long.TryParse(Keyword, out var id))
            {
                parts.Add("(id = $kid OR username LIKE $kw ESCAPE '!' OR email LIKE $kw ESCAPE '!' OR display_name LIKE $kw ESCAPE '!')");
                args.Add(("$kid", id));
            }
            else
            {
                parts.Add("(username LIKE $kw ESCAPE '!' OR email LIKE $kw ESCAPE '!' OR display_name LIKE $kw ESCAPE '!')");
            }
        }
        if (!string.IsNullOrEmpty(Group))
        {
            parts.Add("\"group\" = $g");
            args.Add(("$g", Group));
        }
        if (Role is { } role)
        {
            parts.Add("role = $r");
            args.Add(("$r", role));
        }
        if (Status is -1) parts.Add("deleted_at IS NOT NULL");
        else if (Status is { } status)
        {
            parts.Add("deleted_at IS NULL AND status = $s");
            args.Add(("$s", status));
        }
        return (parts.Count == 0 ? "" : " WHERE " + string.Join(" AND ", parts), args.ToArray());
    }

    internal string OrderBy() => (Sort, Ascending) switch
    {
        (UserSort.Username, true) => "username ASC, id DESC",
        (UserSort.Username, false) => "username DESC, id DESC",
        (UserSort.Quota, true) => "quota ASC, id DESC",
        (UserSort.Quota, false) => "quota DESC, id DESC",
        (UserSort.Group, true) => "\"group\" ASC, id DESC",
        (UserSort.Group, false) => "\"group\" DESC, id DESC",
        (UserSort.CreatedAt, true) => "created_at ASC, id DESC",
        (UserSort.CreatedAt, false) => "created_at DESC, id DESC",
        (UserSort.LastLoginAt, true) => "last_login_at ASC, id DESC",
        (UserSort.LastLoginAt, false) => "last_login_at DESC, id DESC",
        (_, true) => "id ASC",
        _ => "id DESC",
    };

    /// <summary>New API's sort keys; an unknown key falls back to id desc.</summary>
    public static (UserSort Sort, bool Ascending) ParseSort(string? sortBy, string? sortOrder)
    {
        UserSort? sort = (sortBy ?? "").Trim().ToLowerInvariant() switch
        {
            "id" => UserSort.Id,
            "username" => UserSort.Username,
            "quota" => UserSort.Quota,
            "group" => UserSort.Group,
            "created_at" => UserSort.CreatedAt,
            "last_login_at" => UserSort.LastLoginAt,
            _ => null,
        };
        if (sort is null) return (UserSort.Id, false);
        return (sort.Value, string.Equals((sortOrder ?? "").Trim(), "asc", StringComparison.OrdinalIgnoreCase));
    }
}
