using System.Text.Json;
using System.Text.Json.Serialization;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Json;

/// <summary>
/// Source-generated JSON for the /api core (envelopes, setup, login, options). Snake-case names like New API. Each
/// resource area has its own context (TokenJson, …) registered in Hosting's resolver chain, so no list grows unbounded.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Reply))]
[JsonSerializable(typeof(Envelope<string>))]
[JsonSerializable(typeof(Envelope<long>))]
[JsonSerializable(typeof(Envelope<int>))]
[JsonSerializable(typeof(Envelope<bool>))]
[JsonSerializable(typeof(Envelope<List<string>>))]
[JsonSerializable(typeof(Envelope<JsonElement>))]
[JsonSerializable(typeof(Envelope<Dictionary<string, string>>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(OpenAiErrorBody))]
[JsonSerializable(typeof(SetupStatusView))]
[JsonSerializable(typeof(Envelope<SetupStatusView>))]
[JsonSerializable(typeof(SetupRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(Envelope<LoginView>))]
[JsonSerializable(typeof(Envelope<Require2FaView>))]
[JsonSerializable(typeof(Envelope<SelfView>))]
[JsonSerializable(typeof(Envelope<System.Text.Json.Nodes.JsonObject>))]
[JsonSerializable(typeof(Envelope<System.Text.Json.Nodes.JsonArray>))]
[JsonSerializable(typeof(Envelope<List<OptionItem>>))]
[JsonSerializable(typeof(OptionUpdateRequest))]
public sealed partial class AdminJson : JsonSerializerContext;
