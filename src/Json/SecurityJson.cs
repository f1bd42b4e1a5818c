using System.Text.Json.Serialization;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Json;

/// <summary>JSON for 2FA, /api/verify, passkeys and third-party sign-in.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CodeRequest))]
[JsonSerializable(typeof(VerifyRequest))]
[JsonSerializable(typeof(EmailBindRequest))]
[JsonSerializable(typeof(CustomOAuthProviderRequest))]
[JsonSerializable(typeof(Envelope<TwoFaStatusView>))]
[JsonSerializable(typeof(Envelope<TwoFaSetupView>))]
[JsonSerializable(typeof(Envelope<BackupCodesView>))]
[JsonSerializable(typeof(Envelope<TwoFaStatsView>))]
[JsonSerializable(typeof(Envelope<VerifyView>))]
[JsonSerializable(typeof(VerificationRequiredReply))]
[JsonSerializable(typeof(Envelope<PasskeyStatusView>))]
[JsonSerializable(typeof(Envelope<PasskeyOptionsView>))]
[JsonSerializable(typeof(Envelope<OAuthBindView>))]
[JsonSerializable(typeof(Envelope<CustomOAuthProviderView>))]
[JsonSerializable(typeof(Envelope<List<CustomOAuthProviderView>>))]
public sealed partial class SecurityJson : JsonSerializerContext;
