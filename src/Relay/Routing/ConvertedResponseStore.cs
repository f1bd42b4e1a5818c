using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NewApi.Relay.Errors;

namespace NewApi.Relay.Routing;

/// <summary>
/// Responses API state for channels that do not speak it (the request is converted to chat): the answers the gateway
/// made itself, so a client may refer back to them as OpenAI lets it — <c>previous_response_id</c> (the earlier
/// request's input and its output come first) and <c>{"type":"item_reference","id":…}</c> input items (the Vercel AI
/// SDK sends earlier assistant messages that way, as the Responses API stores by default). Only the owner's ids
/// resolve; <c>store: false</c> requests are not kept. In memory, the newest 10 000 responses; an id unknown here
/// (older, another user's, or from before a restart) is the client's 400, worded as OpenAI words it.
/// </summary>
public sealed class ConvertedResponseStore
{
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Stored> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long UserId, JsonObject Item)> _items = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    private sealed record Stored(long UserId, JsonArray Input, JsonArray Output, JsonObject Response);

    /// <summary>Keeps a converted response (the final object the client got) and the request input that led to it.</summary>
    public void Remember(long userId, JsonObject request, JsonObject response)
    {
        if (request["store"] is JsonValue store && store.TryGetValue<bool>(out var keep) && !keep) return;
        if (response["id"]?.GetValue<string>() is not { Length: > 0 } id || response["output"] is not JsonArray output) return;
        var input = request["input"] switch
        {
            JsonArray items => (JsonArray)items.DeepClone(),
            JsonValue text when text.TryGetValue<string>(out var s) => new JsonArray(new JsonObject { ["role"] = "user", ["content"] = s }),
            _ => new JsonArray(),
        };
        var outputCopy = (JsonArray)output.DeepClone();
        if (!_responses.TryAdd(id, new Stored(userId, input, outputCopy, (JsonObject)response.DeepClone()))) return;
        foreach (var node in outputCopy)
            if (node is JsonObject item && item["id"]?.GetValue<string>() is { Length: > 0 } itemId)
                _items[itemId] = (userId, item);
        _order.Enqueue(id);
        while (_responses.Count > Capacity && _order.TryDequeue(out var oldest))
            if (_responses.TryRemove(oldest, out var gone))
                foreach (var node in gone.Output)
                    if (node is JsonObject item && item["id"]?.GetValue<string>() is { } itemId) _items.TryRemove(itemId, out _);
    }

    /// <summary>The stored response object (GET /v1/responses/{id}); only its owner's.</summary>
    public JsonObject? Find(string id, long userId) =>
        _responses.TryGetValue(id, out var stored) && stored.UserId == userId ? (JsonObject)stored.Response.DeepClone() : null;

    /// <summary>The input items that led to a stored response (GET /v1/responses/{id}/input_items); only its owner's.</summary>
    public JsonArray? InputOf(string id, long userId) =>
        _responses.TryGetValue(id, out var stored) && stored.UserId == userId ? (JsonArray)stored.Input.DeepClone() : null;

    /// <summary>Forgets a stored response and its items (DELETE /v1/responses/{id}); false when it is not the owner's.</summary>
    public bool Delete(string id, long userId)
    {
        if (!_responses.TryGetValue(id, out var stored) || stored.UserId != userId || !_responses.TryRemove(id, out _)) return false;
        foreach (var node in stored.Output)
            if (node is JsonObject item && item["id"]?.GetValue<string>() is { } itemId) _items.TryRemove(itemId, out _);
        return true;
    }

    /// <summary>
    /// Rewrites <paramref name="body"/> in place: the previous response's conversation first, item references replaced
    /// by the items they name. Null when there was nothing to resolve or all of it resolved.
    /// </summary>
    public RelayError? Expand(long userId, JsonObject body)
    {
        var input = body["input"] switch
        {
            JsonArray items => items,
            JsonValue text when text.TryGetValue<string>(out var s) => new JsonArray(new JsonObject { ["role"] = "user", ["content"] = s }),
            null => new JsonArray(),
            _ => null,
        };
        if (input is null) return null;   // a malformed input is the converter's to refuse
        // Most requests name nothing earlier: left as they are, nothing copied.
        if (body["previous_response_id"] is not JsonValue && !input.Any(IsReference)) return null;
        var changed = false;
        var expanded = new JsonArray();
        if (body["previous_response_id"] is JsonValue prev && prev.TryGetValue<string>(out var prevId))
        {
            if (!_responses.TryGetValue(prevId, out var stored) || stored.UserId != userId)
                return NotFound($"Previous response with id '{prevId}' not found.", "previous_response_id");
            foreach (var node in stored.Input) expanded.Add(node?.DeepClone());
            foreach (var node in stored.Output) expanded.Add(node?.DeepClone());
            body.Remove("previous_response_id");
            changed = true;
        }
        foreach (var node in input)
        {
            if (IsReference(node))
            {
                var item = (JsonObject)node!;
                var id = item["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
                if (!_items.TryGetValue(id, out var found) || found.UserId != userId) return NotFound($"Item with id '{id}' not found.", "input");
                expanded.Add(found.Item.DeepClone());
                changed = true;
                continue;
            }
            expanded.Add(node?.DeepClone());
        }
        if (changed) body["input"] = expanded;
        return null;
    }

    private static bool IsReference(JsonNode? node) =>
        node is JsonObject item && item["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "item_reference";

    private static RelayError NotFound(string message, string param) =>
        RelayError.BadRequest(message) with { Param = param };
}
