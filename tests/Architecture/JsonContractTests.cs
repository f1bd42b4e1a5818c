using System.Text.Json.Serialization;
using NewApi.Json;

namespace NewApi.Tests.Architecture;

/// <summary>Every wire type under NewApi.Json.Contracts is known to a source-generated context (no reflection fallback in AOT).</summary>
public sealed class JsonContractTests
{
    private static readonly JsonSerializerContext[] Contexts =
    [
        AdminJson.Default,
        TokenJson.Default,
        ChannelJson.Default,
        LogJson.Default,
        AccountJson.Default,
        SecurityJson.Default,
    ];

    [Fact]
    public void EveryContractType_IsRegistered()
    {
        var types = typeof(AdminJson).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("NewApi.Json.Contracts", StringComparison.Ordinal) == true && !t.IsAbstract && !t.IsGenericTypeDefinition
                        && !t.Name.StartsWith('<') && t.IsPublic);
        var missing = types.Where(t => Contexts.All(c => c.GetTypeInfo(t) is null)).Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, "not in any JsonSerializerContext: " + string.Join(", ", missing));
    }
}
