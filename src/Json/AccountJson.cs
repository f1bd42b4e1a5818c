using System.Text.Json.Serialization;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Json;

/// <summary>JSON for accounts: registration, e-mail codes, admin user management, groups, check-in and self-service.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(PasswordResetRequest))]
[JsonSerializable(typeof(AffTransferRequest))]
[JsonSerializable(typeof(UserNotifySettingRequest))]
[JsonSerializable(typeof(UserCreateRequest))]
[JsonSerializable(typeof(UserUpdateRequest))]
[JsonSerializable(typeof(UserManageRequest))]
[JsonSerializable(typeof(PrefillGroupRequest))]
[JsonSerializable(typeof(Envelope<UserView>))]
[JsonSerializable(typeof(Envelope<Page<UserView>>))]
[JsonSerializable(typeof(Envelope<UserRoleStatusView>))]
[JsonSerializable(typeof(Envelope<CheckinStatusView>))]
[JsonSerializable(typeof(Envelope<CheckinResultView>))]
[JsonSerializable(typeof(Envelope<PrefillGroupView>))]
[JsonSerializable(typeof(Envelope<List<PrefillGroupView>>))]
public sealed partial class AccountJson : JsonSerializerContext;
