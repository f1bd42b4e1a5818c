using System.Text.Json.Serialization;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Json;

/// <summary>JSON for /api/log/* and /api/data/*.</summary>
[JsonSerializable(typeof(Envelope<Page<LogView>>))]
[JsonSerializable(typeof(Envelope<List<LogView>>))]
[JsonSerializable(typeof(Envelope<LogStatView>))]
[JsonSerializable(typeof(Envelope<List<QuotaDataView>>))]
[JsonSerializable(typeof(Envelope<List<QuotaFlowView>>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
public sealed partial class LogJson : JsonSerializerContext;
