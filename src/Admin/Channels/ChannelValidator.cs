using System.Text.Json;
using NewApi.Common;
using NewApi.Storage.Channels;

namespace NewApi.Admin.Channels;

/// <summary>Channel rules shared by create and update; each returns New API's message or null.</summary>
internal static class ChannelValidator
{
    public const int MaxModelNameLength = 255;
    public const int MaxRemarkLength = 255;

    /// <summary>Checks a complete row (after defaults/merging) and, when given, the plaintext key.</summary>
    public static string? Validate(ChannelRow row, string? plaintextKey, bool isAdd)
    {
        if (!Enum.IsDefined(row.Type)) return "不支持的渠道类型";
        if (isAdd && string.IsNullOrWhiteSpace(plaintextKey)) return "渠道密钥不能为空";
        foreach (var m in row.ModelList)
            if (m.Length > MaxModelNameLength) return "模型名称过长: " + m;
        if (row.Remark.Length > MaxRemarkLength) return "备注不能超过 255 个字符";
        if (row.BaseUrl.Length > 0 && !IsHttpUrl(row.BaseUrl)) return "Base URL 必须是 http(s) 地址";
        if (JsonObjectError(row.Setting) is { } settingError) return "渠道额外设置[channel setting] 格式错误：" + settingError;
        if (JsonObjectError(row.Settings) is not null) return "渠道其他设置[settings] 必须是合法的 JSON 对象";
        if (JsonObjectError(row.ModelMapping) is not null) return "模型映射必须是合法的 JSON 格式";
        if (JsonObjectError(row.StatusCodeMapping) is not null) return "状态码复写必须是合法的 JSON 格式";
        if (JsonObjectError(row.ParamOverride) is not null) return "参数覆盖必须是合法的 JSON 格式";
        if (JsonObjectError(row.HeaderOverride) is not null) return "请求头覆盖必须是合法的 JSON 格式";
        if (row.Type == ChannelType.VertexAi && VertexRegionError(row.Other) is { } vertex) return vertex;
        if (row.Type == ChannelType.Codex && (isAdd || !string.IsNullOrWhiteSpace(plaintextKey)) && CodexKeyError(plaintextKey ?? "") is { } codex)
            return codex;
        return null;
    }

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    /// <summary>Null when the value is empty or a JSON object; else the parser's complaint.</summary>
    public static string? JsonObjectError(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? null : "不是 JSON 对象";
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }

    private static string? VertexRegionError(string other)
    {
        if (string.IsNullOrWhiteSpace(other)) return "部署地区不能为空";
        try
        {
            using var doc = JsonDocument.Parse(other);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException();
            return doc.RootElement.TryGetProperty("default"u8, out var d) && d.ValueKind != JsonValueKind.Null ? null : "部署地区必须包含default字段";
        }
        catch (JsonException)
        {
            return "部署地区必须是标准的Json格式，例如{\"default\": \"us-central1\", \"region2\": \"us-east1\"}";
        }
    }

    private static string? CodexKeyError(string key)
    {
        var trimmed = key.Trim();
        try
        {
            using var doc = JsonDocument.Parse(trimmed);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return "Codex key must be a valid JSON object";
            if (!NonEmpty(doc.RootElement, "access_token")) return "Codex key JSON must include access_token";
            if (!NonEmpty(doc.RootElement, "account_id")) return "Codex key JSON must include account_id";
            return null;
        }
        catch (JsonException)
        {
            return "Codex key must be a valid JSON object";
        }
    }

    private static bool NonEmpty(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null && (v.ValueKind != JsonValueKind.String || v.GetString()!.Trim().Length > 0);
}
