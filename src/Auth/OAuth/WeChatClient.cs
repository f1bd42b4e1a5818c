using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Auth.OAuth;

/// <summary>
/// Resolves a WeChat login code through the operator's WeChat server (<c>GET {WeChatServerAddress}/api/wechat/user?code=</c>
/// with <c>Authorization: {WeChatServerToken}</c>). The token is sent to the Root-set address only: the code is
/// escaped into the query, and an answer that arrived from anywhere else (a redirect) is refused.
/// </summary>
public sealed class WeChatClient(OAuthHttp http)
{
    public async Task<(string? WeChatId, string Error)> ResolveAsync(OptionsSnapshot o, string? code, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 256) return (null, "无效的参数");
        var address = o.Get("WeChatServerAddress").Trim().TrimEnd('/');
        if (!Uri.TryCreate(address, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp)
            || server.Query.Length > 0 || server.Fragment.Length > 0)
            return (null, "微信服务器地址未配置");
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(address + "/api/wechat/user?code=" + Uri.EscapeDataString(code.Trim())));
        req.Headers.TryAddWithoutValidation("Authorization", o.Get("WeChatServerToken"));
        OAuthHttp.Reply reply;
        try
        {
            reply = await http.SendAsync(req, "WeChat", ct);
        }
        catch (OAuthException e)
        {
            return (null, e.Message);
        }
        if (reply.FinalUri is null || !string.Equals(reply.FinalUri.GetLeftPart(UriPartial.Authority), server.GetLeftPart(UriPartial.Authority),
                StringComparison.OrdinalIgnoreCase))
            return (null, "微信服务器响应异常");
        if (OAuthCalls.ParseObject(reply.Body) is not { } body) return (null, "微信服务器响应异常");
        var success = body.TryGetProperty("success"u8, out var s) && s.ValueKind == JsonValueKind.True;
        if (!success) return (null, OAuthCalls.Field(body, "message") is { Length: > 0 } m ? m : "微信服务器响应异常");
        var id = OAuthCalls.Field(body, "data");
        return id.Length == 0 ? (null, "验证码错误或已过期") : (id, "");
    }
}
