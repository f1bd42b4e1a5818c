using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NewApi.Auth.OAuth;

/// <summary>The two HTTP steps every code flow shares: code → access token, token → user info (JSON).</summary>
public static class OAuthCalls
{
    public sealed record Token(string AccessToken, string TokenType);

    public static async Task<Token> ExchangeAsync(OAuthHttp http, string provider, string url, IEnumerable<KeyValuePair<string, string>> form,
        string? basicUser, string? basicSecret, CancellationToken ct, bool jsonBody = false)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Url(url, provider));
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                foreach (var (k, v) in form) w.WriteString(k, v);
                w.WriteEndObject();
            }
            req.Content = new ByteArrayContent(buffer.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        }
        else
        {
            req.Content = new FormUrlEncodedContent(form);
        }
        if (basicUser is not null)
            req.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(basicUser + ":" + basicSecret)));
        var reply = await http.SendAsync(req, provider, ct);
        var (access, type, error) = ParseToken(reply.Body);
        if (access.Length == 0)
            throw new OAuthException(error.Length > 0 ? error : $"Failed to get token from {provider}, please check settings");
        return new Token(access, type);
    }

    public static async Task<JsonElement> UserInfoAsync(OAuthHttp http, string provider, string url, Token token, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, Url(url, provider));
        var scheme = token.TokenType.Length == 0 || token.TokenType.Equals("bearer", StringComparison.OrdinalIgnoreCase) ? "Bearer" : token.TokenType;
        req.Headers.TryAddWithoutValidation("Authorization", scheme + " " + token.AccessToken);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var reply = await http.SendAsync(req, provider, ct);
        if (reply.Status != 200) throw new OAuthException("Failed to get user information");
        return ParseObject(reply.Body) ?? throw new OAuthException("Failed to get user information");
    }

    public static JsonElement? ParseObject(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string or number field by dotted path ("data.user.id"); "" when absent.</summary>
    public static string Field(JsonElement obj, string path)
    {
        var cur = obj;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (cur.ValueKind != JsonValueKind.Object || !cur.TryGetProperty(part, out cur)) return "";
        }
        return cur.ValueKind switch
        {
            JsonValueKind.String => cur.GetString() ?? "",
            JsonValueKind.Number => cur.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "",
        };
    }

    public static long Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n
        : long.TryParse(Field(obj, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out n) ? n : 0;

    private static Uri Url(string url, string provider) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)
            ? u : throw new OAuthException($"{provider} endpoint is not configured");

    /// <summary>JSON token response, or the form-encoded one some servers (GitHub without Accept) send.</summary>
    private static (string Access, string Type, string Error) ParseToken(string body)
    {
        if (ParseObject(body) is { } o)
            return (Field(o, "access_token"), Field(o, "token_type"), Field(o, "error_description"));
        var q = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body);
        return (q.TryGetValue("access_token", out var a) ? a.ToString() : "", q.TryGetValue("token_type", out var t) ? t.ToString() : "",
            q.TryGetValue("error_description", out var e) ? e.ToString() : "");
    }
}
