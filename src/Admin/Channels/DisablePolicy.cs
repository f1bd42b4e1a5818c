using NewApi.Relay.Errors;
using NewApi.Relay.Probe;
using NewApi.Relay.Routing;

namespace NewApi.Admin.Channels;

/// <summary>When a failed channel test disables a channel: the relay's own rule (<see cref="RelayPolicy.Rules.Qualifies"/>).</summary>
internal static class DisablePolicy
{
    public static bool ShouldDisable(RelayPolicy.Rules rules, ProbeOutcome outcome) =>
        !outcome.Ok && outcome.ErrorCode != "channel_test_unsupported" && rules.Qualifies(new RelayError
        {
            Status = outcome.StatusCode, UpstreamStatus = outcome.StatusCode, Message = outcome.Message, Code = outcome.ErrorCode ?? "",
            Type = outcome.ErrorType ?? "", FromUpstream = true,
        });
}
