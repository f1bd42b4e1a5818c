using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Storage.Users;

/// <summary>
/// New API's group tables, parsed once per options snapshot: <c>GroupRatio</c>, <c>GroupGroupRatio</c>,
/// <c>UserUsableGroups</c>, <c>group_ratio_setting.group_special_usable_group</c> and <c>AutoGroups</c>.
/// The relay uses the same answers to decide which token groups a user may route through.
/// </summary>
public sealed class UserGroups(OptionsStore options)
{
    public const string Auto = "auto";
    private Tables? _tables;

    /// <summary>Groups priced in GroupRatio, in option order.</summary>
    public IReadOnlyList<string> Names => Current().RatioOrder;

    public bool HasRatio(string group) => Current().Ratio.ContainsKey(group);

    /// <summary>
    /// Usable groups (name → description) for a user group: UserUsableGroups, then the per-group special rules
    /// ("-:g" removes, "+:g" or "g" adds), then the user's own group ("用户分组") when missing. An empty user group
    /// (anonymous caller) gets UserUsableGroups unchanged.
    /// </summary>
    public Dictionary<string, string> Usable(string userGroup)
    {
        var t = Current();
        var groups = new Dictionary<string, string>(t.Usable, StringComparer.Ordinal);
        userGroup = userGroup.Trim();
        if (userGroup.Length == 0) return groups;
        if (t.Special.TryGetValue(userGroup, out var rules))
            foreach (var (rule, desc) in rules)
            {
                if (rule.StartsWith("-:", StringComparison.Ordinal)) groups.Remove(rule[2..]);
                else if (rule.StartsWith("+:", StringComparison.Ordinal)) groups[rule[2..]] = desc;
                else groups[rule] = desc;
            }
        groups.TryAdd(userGroup, "用户分组");
        return groups;
    }

    public bool CanUse(string userGroup, string group) => Usable(userGroup).ContainsKey(group);

    /// <summary>Price ratio of <paramref name="group"/> for a member of <paramref name="userGroup"/> (GroupGroupRatio wins).</summary>
    public double Ratio(string userGroup, string group)
    {
        var t = Current();
        if (t.GroupGroup.TryGetValue(userGroup, out var map) && map.TryGetValue(group, out var special)) return special;
        return t.Ratio.TryGetValue(group, out var r) ? r : 1;
    }

    /// <summary>Description New API shows for a group: its UserUsableGroups text, else the name itself.</summary>
    public string Description(string group) => Current().Usable.TryGetValue(group, out var d) ? d : group;

    /// <summary>AutoGroups the user may use, in configured order (the candidates behind the "auto" group).</summary>
    public List<string> AutoGroupsFor(string userGroup)
    {
        var usable = Usable(userGroup);
        return Current().AutoGroups.Where(usable.ContainsKey).ToList();
    }

    private Tables Current()
    {
        var snapshot = options.Current;
        var t = Volatile.Read(ref _tables);
        if (t is not null && t.Version == snapshot.Version) return t;
        t = Tables.Parse(snapshot);
        Volatile.Write(ref _tables, t);
        return t;
    }

    private sealed record Tables(long Version, Dictionary<string, double> Ratio, List<string> RatioOrder,
        Dictionary<string, Dictionary<string, double>> GroupGroup, Dictionary<string, string> Usable,
        Dictionary<string, Dictionary<string, string>> Special, List<string> AutoGroups)
    {
        public static Tables Parse(OptionsSnapshot o)
        {
            var ratio = new Dictionary<string, double>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var p in Objects(o.Get("GroupRatio")))
                if (p.Value.ValueKind == JsonValueKind.Number)
                {
                    if (!ratio.ContainsKey(p.Name)) order.Add(p.Name);
                    ratio[p.Name] = p.Value.GetDouble();
                }
            var groupGroup = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
            foreach (var p in Objects(o.Get("GroupGroupRatio")))
            {
                var inner = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var x in Objects(p.Value.GetRawText()))
                    if (x.Value.ValueKind == JsonValueKind.Number) inner[x.Name] = x.Value.GetDouble();
                groupGroup[p.Name] = inner;
            }
            var usable = Strings(o.Get("UserUsableGroups"));
            var special = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var p in Objects(o.Get("group_ratio_setting.group_special_usable_group")))
                special[p.Name] = Strings(p.Value.GetRawText());
            return new Tables(o.Version, ratio, order, groupGroup, usable, special, StringArray(o.Get("AutoGroups")));
        }

        private static List<JsonProperty> Objects(string json)
        {
            if (string.IsNullOrWhiteSpace(json)) return [];
            try
            {
                using var doc = JsonDocument.Parse(json);
                return doc.RootElement.ValueKind == JsonValueKind.Object
                    ? doc.RootElement.Clone().EnumerateObject().ToList()
                    : [];
            }
            catch (JsonException)
            {
                return [];
            }
        }

        private static Dictionary<string, string> Strings(string json)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in Objects(json))
                if (p.Value.ValueKind == JsonValueKind.String) map[p.Name] = p.Value.GetString()!;
            return map;
        }

        private static List<string> StringArray(string json)
        {
            if (string.IsNullOrWhiteSpace(json)) return [];
            try
            {
                using var doc = JsonDocument.Parse(json);
                return doc.RootElement.ValueKind == JsonValueKind.Array
                    ? doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                    : [];
            }
            catch (JsonException)
            {
                return [];
            }
        }
    }
}
