using NewApi.Common;
using NewApi.Relay.Errors;
using NewApi.Storage.Options;

namespace NewApi.Relay.Routing;

/// <summary>
/// Retry and auto-disable rules (relay.md §2.18, §2.19) from the options, parsed once per options change.
/// NewApi: decisions read the status the provider really sent, not the one status_code_mapping shows the client.
/// </summary>
public sealed class RelayPolicy
{
    private Rules _current;

    public RelayPolicy(OptionsStore options)
    {
        _current = Rules.From(options.Current);
        options.Changed += o => Volatile.Write(ref _current, Rules.From(o));
    }

    public Rules Current => Volatile.Read(ref _current);

    public sealed record Rules(int RetryTimes, List<(int From, int To)> RetryCodes, List<(int From, int To)> DisableCodes, string[] Keywords,
        bool AutoDisable)
    {
        private static readonly List<(int, int)> DefaultRetry = Parse("100-199,300-399,401-407,409-499,500-503,505-523,525-599");

        public static Rules From(OptionsSnapshot o) => new(
            (int)Math.Clamp(o.GetLong("RetryTimes"), 0, 10),
            StatusCodeRanges.TryParse(o.Get("AutomaticRetryStatusCodes"), out var retry) ? retry : DefaultRetry,
            StatusCodeRanges.TryParse(o.Get("AutomaticDisableStatusCodes", "401"), out var disable) ? disable : [(401, 401)],
            o.Get("AutomaticDisableKeywords").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(k => k.ToLowerInvariant()).ToArray(),
            o.GetBool("AutomaticDisableChannelEnabled"));

        private static List<(int, int)> Parse(string s) => StatusCodeRanges.TryParse(s, out var r) ? r : [];

        /// <summary>Whether another channel should be tried after this error (attempts left and pinning are the caller's business).</summary>
        public bool ShouldRetry(RelayError e)
        {
            if (e.IsChannelError || e.Code == ErrorCodes.UpstreamTimeout) return true;
            if (e.SkipRetry) return false;
            var status = StatusOf(e);
            if (status is >= 200 and < 300) return false;
            if (status is < 100 or > 599) return true;
            if (e.Code == ErrorCodes.BadResponseBody || status is 504 or 524) return false;
            return In(RetryCodes, status);
        }

        private static readonly HashSet<string> DeadKeyCodes = new(StringComparer.Ordinal) { "invalid_api_key", "account_deactivated", "billing_not_active" };

        private static readonly HashSet<string> DeadKeyTypes = new(StringComparer.Ordinal)
        {
            "insufficient_quota", "authentication_error", "permission_error", "forbidden",
        };

        /// <summary>Automatic disable is on and the channel allows it, and the error qualifies.</summary>
        public bool ShouldDisable(RelayError e, bool channelAutoBan) => AutoDisable && channelAutoBan && Qualifies(e);

        /// <summary>
        /// The error means the channel (or key) is unusable: a <c>channel:*</c> error, a status in AutomaticDisableStatusCodes,
        /// a provider code or type saying the key or account is dead (invalid_api_key, account_deactivated,
        /// billing_not_active; insufficient_quota, authentication_error, permission_error, forbidden), or one of the
        /// AutomaticDisableKeywords in the message. The relay and the channel tests share this rule.
        /// </summary>
        public bool Qualifies(RelayError e)
        {
            if (e.IsChannelError) return true;
            if (!e.SkipRetry && In(DisableCodes, StatusOf(e))) return true;
            if (e.FromUpstream && (DeadKeyCodes.Contains(e.Code) || DeadKeyTypes.Contains(e.Type))) return true;
            var message = e.Message.ToLowerInvariant();
            foreach (var k in Keywords) if (k.Length > 0 && message.Contains(k, StringComparison.Ordinal)) return true;
            return false;
        }

        private static int StatusOf(RelayError e) => e.UpstreamStatus != 0 ? e.UpstreamStatus : e.Status;

        private static bool In(List<(int From, int To)> ranges, int status)
        {
            foreach (var (from, to) in ranges) if (status >= from && status <= to) return true;
            return false;
        }
    }
}
