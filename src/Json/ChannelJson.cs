using System.Text.Json.Serialization;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Json;

/// <summary>JSON for /api/channel/* and the persisted channel_info column.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ChannelInfoData))]
[JsonSerializable(typeof(AddChannelRequest))]
[JsonSerializable(typeof(ChannelInput))]
[JsonSerializable(typeof(ChannelStatusRequest))]
[JsonSerializable(typeof(ChannelBatchRequest))]
[JsonSerializable(typeof(ChannelTagRequest))]
[JsonSerializable(typeof(FetchModelsRequest))]
[JsonSerializable(typeof(MultiKeyManageRequest))]
[JsonSerializable(typeof(ChannelKeyRequest))]
[JsonSerializable(typeof(Envelope<ChannelView>))]
[JsonSerializable(typeof(Envelope<ChannelListPage>))]
[JsonSerializable(typeof(Envelope<ChannelSearchPage>))]
[JsonSerializable(typeof(Envelope<List<CatalogModelView>>))]
[JsonSerializable(typeof(Envelope<List<string>>))]
[JsonSerializable(typeof(Envelope<ChannelKeyView>))]
[JsonSerializable(typeof(Envelope<ChannelIdView>))]
[JsonSerializable(typeof(Envelope<ChannelOpsView>))]
[JsonSerializable(typeof(Envelope<FixAbilitiesView>))]
[JsonSerializable(typeof(Envelope<ChannelTestTaskView>))]
[JsonSerializable(typeof(Envelope<MultiKeyStatusView>))]
[JsonSerializable(typeof(Envelope<int>))]
[JsonSerializable(typeof(Envelope<bool>))]
[JsonSerializable(typeof(Envelope<string>))]
[JsonSerializable(typeof(ChannelTestReply))]
[JsonSerializable(typeof(ChannelBalanceReply))]
[JsonSerializable(typeof(VerificationReply))]
[JsonSerializable(typeof(Reply))]
public sealed partial class ChannelJson : JsonSerializerContext;
