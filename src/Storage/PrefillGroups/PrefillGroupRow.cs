using Microsoft.Data.Sqlite;

namespace NewApi.Storage.PrefillGroups;

/// <summary>A named, typed list the console offers as a preset (models, tags, endpoints…). Items is raw JSON.</summary>
public sealed record PrefillGroupRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Type { get; init; } = "";
    public string Items { get; init; } = "[]";
    public string Description { get; init; } = "";
    public long CreatedTime { get; init; }
    public long UpdatedTime { get; init; }

    public const string Columns = "id, name, type, items, description, created_time, updated_time";

    public static PrefillGroupRow Read(SqliteDataReader r) => new()
    {
        Id = r.Long(0), Name = r.Str(1), Type = r.Str(2), Items = r.Str(3), Description = r.Str(4), CreatedTime = r.Long(5),
        UpdatedTime = r.Long(6),
    };
}
