using NewApi.Storage.Channels;

namespace NewApi.Relay.Auth;

/// <summary>Who is calling, as established by <see cref="RelayAuthenticator"/>: token, owner, routing group and an admin's pinned channel.</summary>
public sealed record RelayCaller(TokenEntry Token, UserEntry User, string Group, ChannelRow? PinnedChannel)
{
    /// <summary>The token's group is <c>auto</c>: the group is chosen per model among the auto groups.</summary>
    public bool AutoGroup => Group == "auto";
}
