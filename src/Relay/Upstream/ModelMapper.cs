using System.Collections.Frozen;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Upstream;

/// <summary>
/// model_mapping (relay.md §2.8): chained (a→b→c sends c); a self-mapping ends the chain; a real cycle is the
/// channel error <c>channel:model_mapped_error</c>, which is not retried.
/// </summary>
public static class ModelMapper
{
    public static (string Model, RelayError? Error) Map(string model, FrozenDictionary<string, string>? mapping, bool invalid)
    {
        if (invalid)
            return (model, RelayError.Local(500, "unmarshal_model_mapping_failed", ErrorCodes.ChannelModelMappedError, skipRetry: true));
        if (mapping is null) return (model, null);
        var seen = new HashSet<string>(StringComparer.Ordinal) { model };
        var current = model;
        while (mapping.TryGetValue(current, out var next) && next.Length > 0 && next != current)
        {
            if (!seen.Add(next))
                return (model, RelayError.Local(500, "model_mapping_contains_cycle", ErrorCodes.ChannelModelMappedError, skipRetry: true));
            current = next;
        }
        return (current, null);
    }
}
