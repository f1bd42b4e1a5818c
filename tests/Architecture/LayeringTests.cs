using System.Text.RegularExpressions;
using NewApi.Tests.Support;

namespace NewApi.Tests.Architecture;

/// <summary>The dependency table of STYLE.md §2: a folder may use only the folders in its row.</summary>
public sealed partial class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Common"] = [],
        ["Json"] = ["Common"],
        ["Config"] = ["Common"],
        ["Storage"] = ["Common"],
        ["Auth"] = ["Common", "Json", "Config", "Storage"],
        ["Billing"] = ["Common", "Config", "Storage"],
        ["Relay"] = ["Common", "Json", "Config", "Storage", "Auth", "Billing"],
        ["Tasks"] = ["Common", "Json", "Config", "Storage", "Auth", "Billing", "Relay"],
        ["Admin"] = ["Common", "Json", "Config", "Storage", "Auth", "Billing", "Relay", "Tasks"],
        ["Hosting"] = ["Common", "Json", "Config", "Storage", "Auth", "Billing", "Relay", "Tasks", "Admin"],
        ["Cli"] = ["Common", "Json", "Config", "Storage", "Auth", "Billing", "Relay", "Tasks", "Admin", "Hosting"],
    };

    [GeneratedRegex(@"\bNewApi\.([A-Z][A-Za-z]+)")]
    private static partial Regex NamespaceRef();

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersItsRowAllows()
    {
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Src, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(RepoPaths.Src, file);
            var folder = rel.Split(Path.DirectorySeparatorChar)[0];
            if (!Allowed.TryGetValue(folder, out var allowed)) continue;   // Program.cs
            foreach (var line in File.ReadLines(file))
            {
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith("///", StringComparison.Ordinal)) continue;
                foreach (Match m in NamespaceRef().Matches(line))
                {
                    var target = m.Groups[1].Value;
                    if (target == folder || !Allowed.ContainsKey(target)) continue;
                    if (!allowed.Contains(target)) violations.Add($"{rel}: {folder} → {target}");
                }
            }
        }
        Assert.True(violations.Count == 0, "layering violations:\n" + string.Join('\n', violations.Distinct()));
    }

    [Fact]
    public void AuthAndBillingNeverUseEachOther()
    {
        Assert.DoesNotContain("Billing", Allowed["Auth"]);
        Assert.DoesNotContain("Auth", Allowed["Billing"]);
    }
}
