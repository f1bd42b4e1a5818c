using System.Text.Json.Nodes;

namespace NewApi.Relay.Upstream;

/// <summary>
/// The channel system prompt on an OpenAI-dialect body (relay.md §2.10): prepended as a system message when there is
/// none; with system_prompt_override, put in front of the existing one (string: prompt + "\n" + original; parts: a
/// text part inserted first). Returns whether an existing system message was changed (logged as
/// is_system_prompt_overwritten).
/// </summary>
public static class SystemPrompt
{
    public static bool Apply(JsonObject body, string prompt, bool overrideExisting)
    {
        if (body["messages"] is not JsonArray messages) return false;
        foreach (var m in messages)
        {
            if (m is not JsonObject msg || msg["role"]?.GetValue<string>() is not ("system")) continue;
            if (!overrideExisting) return false;
            switch (msg["content"])
            {
                case JsonValue v when v.TryGetValue<string>(out var text):
                    msg["content"] = JsonValue.Create(prompt + "\n" + text);
                    return true;
                case JsonArray parts:
                    parts.Insert(0, new JsonObject { ["type"] = JsonValue.Create("text"), ["text"] = JsonValue.Create(prompt) });
                    return true;
                default:
                    msg["content"] = JsonValue.Create(prompt);
                    return true;
            }
        }
        messages.Insert(0, new JsonObject { ["role"] = JsonValue.Create("system"), ["content"] = JsonValue.Create(prompt) });
        return false;
    }
}
