using System.Globalization;
using NewApi.Relay.Probe;
using NewApi.Storage.Options;

namespace NewApi.Admin.Channels;

/// <summary>
/// When a failed test disables a channel (relay.md §2.19 rules, as options configure them): an upstream status listed
/// in AutomaticDisableStatusCodes, an OpenAI/Claude error code or type that means the key or account is dead, or a
/// message containing one of AutomaticDisableKeywords.
/// </summary>
internal static class DisablePolicy
{
    private static readonly HashSet<string> DeadKeyCodes = new(StringComparer.Ordinal)
    {
        "invalid_api_key", "account_deactivated", "billing_not_active",
    };

    private static readonly HashSet<string> DeadKeyTypes = new(StringComparer.Ordinal)
    {
        "insufficient_quota", "authentication_error", "permission_error", "forbidden",
    };

    public static bool ShouldDisable(OptionsSnapshot options, ProbeOutcome outcome)
    {
        if (outcome.Ok || outcome.ErrorCode == "channel_test_unsupported") return false;
        if (outcome.StatusCode > 0 && StatusListed(options.Get("AutomaticDisableStatusCodes", "401"), outcome.StatusCode)) return true;
        if (outcome.ErrorCode is { } code && DeadKeyCodes.Contains(code)) return true;
        if (outcome.ErrorType is { } type && DeadKeyTypes.Contains(type)) return true;
        var message = outcome.Message.ToLowerInvariant();
        foreach (var line in options.Get("AutomaticDisableKeywords").Split('\n'))
        {
            var keyword = line.Trim().ToLowerInvariant();
            if (keyword.Length > 0 && message.Contains(keyword, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>"401,403,500-503" style lists.</summary>
    public static bool StatusListed(string list, int status)
    {
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var single) && single == status) return true;
            }
            else if (int.TryParse(part.AsSpan(0, dash), NumberStyles.Integer, CultureInfo.InvariantCulture, out var lo)
                     && int.TryParse(part.AsSpan(dash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var hi)
                     && status >= lo && status <= hi)
            {
                return true;
            }
        }
        return false;
    }
}
