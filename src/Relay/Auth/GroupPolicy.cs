using System.Collections.Frozen;
using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Relay.Auth;

/// <summary>
/// Which groups a user may route through (relay.md §2.1): the UserUsableGroups table, adjusted per user group by
/// group_ratio_setting.group_special_usable_group (<c>"+:g"</c> or <c>"g"</c> adds, <c>"-:g"</c> removes), and always
/// the user's own group; plus AutoGroups, the ordered candidates of an <c>auto</c> token. Rebuilt on option change.
/// </summary>
public sealed class GroupPolicy
{
    private Snapshot _current;

    public GroupPolicy(OptionsStore options)
    {
        _current = Snapshot.From(options.Current);
        options.Changed += o => Volatile.Write(ref _current, Snapshot.From(o));
    }

    public bool IsUsable(string userGroup, string group) => group == userGroup || Volatile.Read(ref _current).Usable(userGroup).Contains(group);

    /// <summary>The auto groups this user may use, in configured order.</summary>
    public IEnumerable<string> AutoGroupsFor(string userGroup)
    {
        var s = Volatile.Read(ref _current);
        foreach (var g in s.AutoGroups)
            if (g == userGroup || s.Usable(userGroup).Contains(g)) yield return g;
    }

    private sealed record Snapshot(FrozenSet<string> Base, FrozenDictionary<string, FrozenSet<string>> PerUserGroup, string[] AutoGroups)
    {
        public FrozenSet<string> Usable(string userGroup) => PerUserGroup.TryGetValue(userGroup, out var s) ? s : Base;

        public static Snapshot From(OptionsSnapshot o)
        {
            var baseGroups = Keys(o.Get("UserUsableGroups", "{}"));
            var perGroup = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal);
            foreach (var (userGroup, rules) in Nested(o.Get("group_ratio_setting.group_special_usable_group", "{}")))
            {
                var set = new HashSet<string>(baseGroups, StringComparer.Ordinal);
                foreach (var rule in rules)
                {
                    if (rule.StartsWith("-:", StringComparison.Ordinal)) set.Remove(rule[2..]);
                    else set.Add(rule.StartsWith("+:", StringComparison.Ordinal) ? rule[2..] : rule);
                }
                perGroup[userGroup] = set.ToFrozenSet(StringComparer.Ordinal);
            }
            return new Snapshot(baseGroups.ToFrozenSet(StringComparer.Ordinal), perGroup.ToFrozenDictionary(StringComparer.Ordinal),
                Strings(o.Get("AutoGroups", "[]")));
        }

        private static List<string> Keys(string json) => Parse(json, e => e.ValueKind == JsonValueKind.Object
            ? e.EnumerateObject().Select(p => p.Name).ToList() : []);

        private static List<(string, List<string>)> Nested(string json) => Parse(json, e => e.ValueKind == JsonValueKind.Object
            ? e.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object)
                .Select(p => (p.Name, p.Value.EnumerateObject().Select(r => r.Name).ToList())).ToList()
            : []);

        private static string[] Strings(string json) => Parse(json, e => e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray() : []);

        private static T Parse<T>(string json, Func<JsonElement, T> read) where T : System.Collections.IEnumerable
        {
            try
            {
                using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "null" : json);
                return read(doc.RootElement);
            }
            catch (JsonException)
            {
                return read(default);   // an unparsable option reads as empty
            }
        }
    }
}
