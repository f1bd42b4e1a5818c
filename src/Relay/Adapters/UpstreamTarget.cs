using NewApi.Relay.Routing;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Adapters;

/// <summary>The channel one attempt goes to: its row, parsed runtime, the key chosen for this attempt and the base URL.</summary>
public sealed record UpstreamTarget(ChannelRow Channel, ChannelRuntime Runtime, VendorProfile Profile, string Key, int KeyIndex, string BaseUrl);
