using System.Text.Json.Serialization;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Json;

/// <summary>JSON for /api/token and /api/usage/token.</summary>
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(IdsRequest))]
[JsonSerializable(typeof(Envelope<TokenView>))]
[JsonSerializable(typeof(Envelope<Page<TokenView>>))]
[JsonSerializable(typeof(Envelope<TokenKeyView>))]
[JsonSerializable(typeof(Envelope<TokenKeysView>))]
[JsonSerializable(typeof(TokenUsageEnvelope))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
public sealed partial class TokenJson : JsonSerializerContext;
