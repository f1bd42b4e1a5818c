using NewApi.Common;
using NewApi.Relay.Adapters.OpenAi;

namespace NewApi.Relay.Adapters;

/// <summary>Adapter registry: a static switch over channel types (no reflection). Unknown families serve nothing.</summary>
public static class ProviderAdapters
{
    public static IProviderAdapter? For(ChannelType type) => type switch
    {
        _ when VendorProfiles.IsOpenAiCompatible(type) => OpenAiAdapter.Instance,
        _ => null,
    };
}
