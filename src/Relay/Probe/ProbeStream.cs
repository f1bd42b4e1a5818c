using System.Text.Json;

namespace NewApi.Relay.Probe;

/// <summary>Judges a (capped) streamed test response: it must hold at least one data event and no error event.</summary>
internal static class ProbeStream
{
    public static ProbeOutcome Interpret(string text)
    {
        var events = 0;
        (long Prompt, long Completion) usage = (0, 0);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            var payload = line[5..].Trim();
            if (payload.Length == 0 || payload == "[DONE]") continue;
            try
            {
                using var doc = JsonDocument.Parse(payload);
                if (ProbeBodies.Error(doc.RootElement) is { } err)
                    return ProbeOutcome.Failure("upstream error: " + err.Message, err.Code ?? "bad_response_body", 200, err.Type);
                events++;
                if (ProbeBodies.Usage(doc.RootElement) is { } u)
                    usage = (Math.Max(usage.Prompt, u.Prompt), Math.Max(usage.Completion, u.Completion));
            }
            catch (JsonException)
            {
                // A line cut by the read cap, or a non-JSON keep-alive: not an event.
            }
        }
        return events == 0
            ? ProbeOutcome.Failure("stream response body does not contain a valid stream event", "bad_response_body", 200)
            : ProbeOutcome.Success(usage.Prompt, usage.Completion);
    }
}
