using System.Text.Json;
using NewApi.Common;
using NewApi.Storage.Users;

namespace NewApi.Relay.Auth;

/// <summary>The few user fields the relay needs, with the user settings it reads parsed once per load.</summary>
public sealed class UserEntry
{
    public UserEntry(UserRow row)
    {
        Id = row.Id;
        Username = row.Username;
        Group = string.IsNullOrEmpty(row.Group) ? "default" : row.Group;
        Role = row.Role;
        Status = row.Status;
        (RecordIpLog, AcceptUnsetModelRatio) = ParseSetting(row.Setting);
    }

    public long Id { get; }
    public string Username { get; }
    public string Group { get; }
    public Role Role { get; }
    public UserStatus Status { get; }
    /// <summary>User setting record_ip_log: the client IP goes into consume logs.</summary>
    public bool RecordIpLog { get; }
    /// <summary>User setting accept_unset_model_ratio_model: models without a price are usable (billed at 37.5).</summary>
    public bool AcceptUnsetModelRatio { get; }

    private static (bool, bool) ParseSetting(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return (false, false);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (false, false);
            return (Flag(doc.RootElement, "record_ip_log"), Flag(doc.RootElement, "accept_unset_model_ratio_model"));
        }
        catch (JsonException)
        {
            return (false, false);
        }
    }

    private static bool Flag(JsonElement obj, string name) => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
