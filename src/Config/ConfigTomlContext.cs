using System.Text.Json.Serialization;
using Tomlyn.Serialization;

namespace NewApi.Config;

[TomlSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[TomlSerializable(typeof(GatewayConfig))]
internal sealed partial class ConfigTomlContext : TomlSerializerContext;
