using System.Text.Json.Serialization;

namespace NewApi.Auth;

/// <summary>What the session cookie carries. Encrypted and authenticated (AES-GCM), never readable by the client.</summary>
public sealed class SessionData
{
    [JsonPropertyName("uid")] public long UserId { get; set; }
    [JsonPropertyName("iat")] public long IssuedAt { get; set; }
    [JsonPropertyName("puid")] public long PendingUserId { get; set; }
    [JsonPropertyName("pname")] public string? PendingUsername { get; set; }
    [JsonPropertyName("pat")] public long PendingAt { get; set; }
    [JsonPropertyName("state")] public string? OAuthState { get; set; }
    [JsonPropertyName("aff")] public string? Aff { get; set; }
    [JsonPropertyName("ts")] public bool Turnstile { get; set; }
    [JsonPropertyName("sva")] public long SecureVerifiedAt { get; set; }
    [JsonPropertyName("svm")] public string? SecureVerifiedMethod { get; set; }
    [JsonPropertyName("x")] public Dictionary<string, string>? Extra { get; set; }

    [JsonIgnore] public bool IsEmpty => UserId == 0 && PendingUserId == 0 && OAuthState is null && Aff is null && !Turnstile && Extra is null;
}

[JsonSerializable(typeof(SessionData))]
internal sealed partial class AuthJson : JsonSerializerContext;
