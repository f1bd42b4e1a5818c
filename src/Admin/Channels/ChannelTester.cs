using NewApi.Relay.Routing;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Relay.Probe;
using NewApi.Relay.Upstream;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;

namespace NewApi.Admin.Channels;

/// <summary>Who a test runs as: its consume log row is written for this user and priced with this group.</summary>
internal sealed record TestCaller(long UserId, string Username, string Group);

/// <summary>One channel test: the outcome, its wall time, and which key of a multi-key channel was used.</summary>
internal sealed record TestRun(ProbeOutcome Outcome, long ElapsedMs, int KeyIndex);

/// <summary>
/// GET /api/channel/test/{id} and each step of the test-all run: picks the model and endpoint, sends the probe, records
/// response_time/test_time on success and writes the consume log row (token name "模型测试", quota computed, not charged).
/// </summary>
internal sealed class ChannelTester(ChannelRepository repo, ChannelProbe probe, SecretBox box, LogRepository logs, OptionsStore options,
    TimeProvider time)
{
    public const string TestTokenName = "模型测试";
    public const string DefaultTestModel = "gpt-4o-mini";

    public async Task<TestRun> TestAsync(ChannelRow channel, TestCaller caller, string? model, string? endpointType, bool stream, CancellationToken ct)
    {
        var testModel = ResolveModel(channel, model);
        var kind = ResolveKind(channel, testModel, endpointType);
        var (upstreamModel, mappingError) = MapModel(channel.ModelMapping, testModel);
        if (mappingError is not null) return new(ProbeOutcome.Failure(mappingError, "channel:model_mapped_error"), 0, 0);
        var (key, keyIndex) = PickKey(channel);
        if (key is null) return new(ProbeOutcome.Failure("no enabled keys", "channel:no_available_key"), 0, 0);
        var target = new ProbeTarget(channel.Type, ChannelProfiles.BaseUrl(channel.Type, channel.BaseUrl), key)
        {
            Organization = channel.OpenAiOrganization, HeaderOverride = channel.HeaderOverride, Other = channel.Other,
        };
        var start = time.GetTimestamp();
        var outcome = await probe.TestAsync(target, new ProbeRequest(upstreamModel, kind, stream), ct);
        var elapsedMs = (long)time.GetElapsedTime(start).TotalMilliseconds;
        if (outcome.Ok)
        {
            await repo.UpdateTestResultAsync(channel.Id, time.UnixSeconds(), elapsedMs, ct);
            await LogAsync(channel, caller, testModel, upstreamModel, kind, stream, outcome, elapsedMs, ct);
        }
        return new(outcome, elapsedMs, keyIndex);
    }

    /// <summary>new-api order: query parameter › channel test_model › first listed model › gpt-4o-mini.</summary>
    public static string ResolveModel(ChannelRow channel, string? requested)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return requested.Trim();
        if (!string.IsNullOrWhiteSpace(channel.TestModel)) return channel.TestModel.Trim();
        return channel.ModelList.FirstOrDefault() ?? DefaultTestModel;
    }

    public static ProbeKind ResolveKind(ChannelRow channel, string model, string? endpointType)
    {
        switch (endpointType?.Trim())
        {
            case "openai" or "anthropic" or "gemini": return ProbeKind.Chat;
            case "openai-response" or "openai-response-compact": return ProbeKind.Responses;
            case "embeddings": return ProbeKind.Embeddings;
            case "jina-rerank": return ProbeKind.Rerank;
            case "image-generation": return ProbeKind.Image;
        }
        var lower = model.ToLowerInvariant();
        if (lower.Contains("codex", StringComparison.Ordinal) || channel.Type == ChannelType.Codex) return ProbeKind.Responses;
        if (channel.Type == ChannelType.VolcEngine && model.Contains("seedream", StringComparison.Ordinal)) return ProbeKind.Image;
        if (lower.Contains("embedding", StringComparison.Ordinal) || model.StartsWith("m3e", StringComparison.Ordinal)
            || model.Contains("bge-", StringComparison.Ordinal) || model.Contains("embed", StringComparison.Ordinal) || channel.Type == ChannelType.MokaAi)
            return ProbeKind.Embeddings;
        return lower.Contains("rerank", StringComparison.Ordinal) ? ProbeKind.Rerank : ProbeKind.Chat;
    }

    /// <summary>The relay's chained model mapping (<see cref="ModelMapper"/>) over the channel's JSON; the error as New API words it.</summary>
    public static (string Model, string? Error) MapModel(string? mappingJson, string model)
    {
        var mapping = ChannelRuntime.ParseStringMap(mappingJson, out var invalid);
        var (mapped, error) = ModelMapper.Map(model, mapping, invalid);
        return (mapped, error?.Message);
    }

    /// <summary>
    /// The key a test uses: the only key, or the first enabled key of a multi-key channel; with none enabled, the first
    /// automatically disabled one (so the test-all run can bring it back). Manually disabled keys are never used.
    /// </summary>
    public (string? Key, int Index) PickKey(ChannelRow channel)
    {
        var plaintext = box.Decrypt(channel.KeyEnc);
        var info = ChannelInfoCodec.Parse(channel.ChannelInfo);
        if (!info.IsMultiKey) return (plaintext.Trim(), 0);
        var keys = ChannelKeys.Split(plaintext);
        for (var pass = 1; pass <= 3; pass += 2)
            for (var i = 0; i < keys.Count; i++)
                if (ChannelInfoCodec.KeyStatus(info, i) == pass) return (keys[i], i);
        return (null, 0);
    }

    private static string RequestPath(ProbeKind kind) => kind switch
    {
        ProbeKind.Embeddings => "/v1/embeddings",
        ProbeKind.Rerank => "/v1/rerank",
        ProbeKind.Image => "/v1/images/generations",
        ProbeKind.Responses => "/v1/responses",
        _ => "/v1/chat/completions",
    };

    private async Task LogAsync(ChannelRow channel, TestCaller caller, string model, string upstreamModel, ProbeKind kind, bool stream,
        ProbeOutcome outcome, long elapsedMs, CancellationToken ct)
    {
        var snapshot = options.Current;
        if (!snapshot.GetBool("LogConsumeEnabled")) return;
        var price = TestQuota.Compute(snapshot, model, caller.Group, outcome.PromptTokens, outcome.CompletionTokens);
        var other = new JsonObject
        {
            ["model_ratio"] = price.ModelRatio,
            ["group_ratio"] = price.GroupRatio,
            ["completion_ratio"] = price.CompletionRatio,
            ["model_price"] = price.ModelPrice,
            ["is_model_mapped"] = upstreamModel != model,
            ["upstream_model_name"] = upstreamModel,
            ["request_path"] = RequestPath(kind),
            ["admin_info"] = new JsonObject { ["use_channel"] = new JsonArray((JsonNode)channel.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        };
        await logs.InsertAsync(new LogRow
        {
            UserId = caller.UserId, Username = caller.Username, CreatedAt = time.UnixSeconds(), Type = LogType.Consume,
            Content = TestTokenName, TokenName = TestTokenName, ModelName = model, Quota = price.Quota,
            PromptTokens = outcome.PromptTokens, CompletionTokens = outcome.CompletionTokens, UseTime = elapsedMs / 1000,
            IsStream = stream, ChannelId = channel.Id, Group = caller.Group, Other = ChannelInfoCodec.Compact(other),
        }, ct);
    }
}
