using System.Security.Cryptography;
using System.Text;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Tests.Support;

namespace NewApi.Tests.Architecture;

/// <summary>Values stored in databases and read by New API consoles: renumbering fails here, not in users' data.</summary>
public sealed class PersistedValueTests
{
    [Fact]
    public void Enums_KeepTheirNumbers()
    {
        Assert.Equal([0, 1, 10, 100], Enum.GetValues<Role>().Select(v => (int)v));
        Assert.Equal([1, 2], Enum.GetValues<UserStatus>().Select(v => (int)v));
        Assert.Equal([1, 2, 3, 4], Enum.GetValues<TokenStatus>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<ChannelStatus>().Select(v => (int)v));
        Assert.Equal([1, 2, 3], Enum.GetValues<RedemptionStatus>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Enum.GetValues<LogType>().Select(v => (int)v));
        Assert.Equal(14, (int)ChannelType.Anthropic);
        Assert.Equal(24, (int)ChannelType.Gemini);
        Assert.Equal(3, (int)ChannelType.Azure);
        Assert.Equal(43, (int)ChannelType.DeepSeek);
        Assert.Equal(58, (int)ChannelType.AdvancedCustom);
    }

    /// <summary>Released migrations never change. A new schema change is a new file; add its hash here when it ships.</summary>
    private static readonly Dictionary<int, string> Released = new()
    {
        [1] = "ae58f95a39dd1a562c7bbbe5822b787035ac56ba72d66cb2e6a37c72311ab0bf",
        [30] = "dc2d9864cd25b9a6e15f9779f21337de8dc43f73cbd1c8f3a9e687d05fc75810",
        [31] = "9572af1394922e68f78f34b9ea8cfc9ed2cacb799bb27fb1c7b382c62a61e42b",
        [32] = "4dc4347d90c0f3fd7c472a549e0ef90ecf9c9314ec4c15f951248253bc4e0aa7",
        [33] = "a8685a02401f415570c1bf19e83fd4b3fca1cf8eaabfa15b8d935bb0de9e54ca",
        [34] = "57c00a863da691adfa2ffea0a0af97b25d1ca9f3b7d5141df10c374486fd61f2",
    };

    [Fact]
    public void ReleasedMigrations_AreUnchanged()
    {
        foreach (var (version, sha) in Released)
        {
            var m = Migrator.All.Single(x => x.Version == version);
            Assert.True(sha == m.Sha256, $"migration {version:D4}_{m.Name}.sql changed (sha256 {m.Sha256}); add a new migration instead");
        }
        Assert.Equal(Migrator.All.Count, Migrator.All.Select(m => m.Version).Distinct().Count());
    }

    [Fact]
    public void MigrationFilesOnDisk_AreTheEmbeddedOnes()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Src, "Storage", "Migrations"), "*.sql").Select(f => Path.GetFileNameWithoutExtension(f)!).Order().ToList();
        Assert.Equal(files, Migrator.All.Select(m => $"{m.Version:D4}_{m.Name}").ToList());
        foreach (var m in Migrator.All)
        {
            var disk = File.ReadAllText(Path.Combine(RepoPaths.Src, "Storage", "Migrations", $"{m.Version:D4}_{m.Name}.sql"));
            Assert.Equal(m.Sha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(disk))));
        }
    }

    /// <summary>The hashes the build computed (recorded at run time without the crypto library) are the texts' own.</summary>
    [Fact]
    public void BuildComputedHashes_AreTheEmbeddedTextsHashes()
    {
        Assert.Equal(Migrator.All.Count, MigrationHashes.Sha256.Count);
        foreach (var m in Migrator.All)
        {
            Assert.True(MigrationHashes.Sha256.ContainsKey($"{m.Version:D4}_{m.Name}"), $"no build hash for {m.Version:D4}_{m.Name}");
            Assert.Equal(m.ComputedSha256, m.Sha256);
        }
    }
}
