using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NewApi.Auth.Passkeys;

/// <summary>The <c>{publicKey:{…}}</c> objects navigator.credentials.create/get take, as go-webauthn shaped them.</summary>
public static class PasskeyOptions
{
    public static JsonObject Creation(PasskeyRp rp, string challenge, long userId, string username, string displayName, string? excludeCredentialIdB64Url)
    {
        var selection = new JsonObject
        {
            ["residentKey"] = "required",
            ["requireResidentKey"] = true,
            ["userVerification"] = rp.UserVerification,
        };
        if (rp.Attachment.Length > 0) selection["authenticatorAttachment"] = rp.Attachment;
        var pk = new JsonObject
        {
            ["rp"] = new JsonObject { ["name"] = rp.RpName, ["id"] = rp.RpId },
            ["user"] = new JsonObject
            {
                ["name"] = username,
                ["displayName"] = displayName.Length > 0 ? displayName : username,
                ["id"] = Base64Url.Encode(Encoding.UTF8.GetBytes(userId.ToString(CultureInfo.InvariantCulture))),
            },
            ["challenge"] = challenge,
            ["pubKeyCredParams"] = new JsonArray(Param(CoseKey.Es256), Param(CoseKey.Rs256)),
            ["timeout"] = PasskeyCeremony.LifetimeSeconds * 1000,
            ["authenticatorSelection"] = selection,
            ["attestation"] = "none",
        };
        if (excludeCredentialIdB64Url is not null) pk["excludeCredentials"] = new JsonArray(Descriptor(excludeCredentialIdB64Url));
        return new JsonObject { ["publicKey"] = pk };
    }

    public static JsonObject Request(PasskeyRp rp, string challenge, string? allowCredentialIdB64Url)
    {
        var pk = new JsonObject
        {
            ["challenge"] = challenge,
            ["timeout"] = PasskeyCeremony.LifetimeSeconds * 1000,
            ["rpId"] = rp.RpId,
            ["userVerification"] = rp.UserVerification,
        };
        if (allowCredentialIdB64Url is not null) pk["allowCredentials"] = new JsonArray(Descriptor(allowCredentialIdB64Url));
        return new JsonObject { ["publicKey"] = pk };
    }

    private static JsonNode Param(int alg) => new JsonObject { ["type"] = "public-key", ["alg"] = alg };

    private static JsonNode Descriptor(string id) => new JsonObject { ["type"] = "public-key", ["id"] = id };
}
