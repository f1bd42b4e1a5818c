using Microsoft.Data.Sqlite;

namespace NewApi.Storage.Channels;

public sealed record AbilityRow(string Group, string Model, long ChannelId, bool Enabled, long Priority, long Weight, string? Tag)
{
    public static AbilityRow Read(SqliteDataReader r) => new(r.Str(0), r.Str(1), r.Long(2), r.Bool(3), r.Long(4), r.Long(5), r.StrOrNull(6));
}
