using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Integration.Auth;

/// <summary>
/// A WebAuthn authenticator in software: builds real attestation objects (fmt "none" or packed self-attestation) and
/// assertions signed with an ECDSA P-256 or RSA-2048 key, exactly as a browser would post them (base64url fields).
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    public SoftwareAuthenticator(bool rsa = false)
    {
        if (rsa) _rsa = RSA.Create(2048);
        else _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    }

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);
    public uint Counter { get; set; }
    public string Origin { get; set; } = "https://passkey.test";
    public string RpId { get; set; } = "passkey.test";
    public byte[]? UserHandle { get; private set; }

    public static string B64(ReadOnlySpan<byte> b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromB64(string s)
    {
        var t = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(t.PadRight(t.Length + (4 - t.Length % 4) % 4, '='));
    }

    private static string Challenge(JsonElement beginReply) =>
        beginReply.GetProperty("data").GetProperty("options").GetProperty("publicKey").GetProperty("challenge").GetString()!;

    public JsonObject Register(JsonElement beginReply, bool packed = false)
    {
        var pk = beginReply.GetProperty("data").GetProperty("options").GetProperty("publicKey");
        UserHandle = FromB64(pk.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", Challenge(beginReply));
        var authData = AuthData(0x45, attested: true);
        var w = new CborWriter();
        w.WriteStartMap(3);
        w.WriteTextString("fmt");
        w.WriteTextString(packed ? "packed" : "none");
        w.WriteTextString("attStmt");
        if (packed)
        {
            w.WriteStartMap(2);
            w.WriteTextString("alg");
            w.WriteInt32(_rsa is null ? -7 : -257);
            w.WriteTextString("sig");
            w.WriteByteString(Sign([.. authData, .. SHA256.HashData(clientData)]));
            w.WriteEndMap();
        }
        else
        {
            w.WriteStartMap(0);
            w.WriteEndMap();
        }
        w.WriteTextString("authData");
        w.WriteByteString(authData);
        w.WriteEndMap();
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = B64(clientData),
            ["attestationObject"] = B64(w.Encode()),
            ["transports"] = new JsonArray("internal"),
        });
    }

    public JsonObject Assert(JsonElement beginReply, bool incrementCounter = true)
    {
        if (incrementCounter) Counter++;
        var clientData = ClientData("webauthn.get", Challenge(beginReply));
        var authData = AuthData(0x05, attested: false);
        var response = new JsonObject
        {
            ["clientDataJSON"] = B64(clientData),
            ["authenticatorData"] = B64(authData),
            ["signature"] = B64(Sign([.. authData, .. SHA256.HashData(clientData)])),
        };
        if (UserHandle is not null) response["userHandle"] = B64(UserHandle);
        return Credential(response);
    }

    private JsonObject Credential(JsonObject response) => new()
    {
        ["id"] = B64(CredentialId),
        ["rawId"] = B64(CredentialId),
        ["type"] = "public-key",
        ["authenticatorAttachment"] = "platform",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
    };

    private byte[] ClientData(string type, string challenge) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = Origin, ["crossOrigin"] = false }));

    private byte[] AuthData(byte flags, bool attested)
    {
        var data = new List<byte>(SHA256.HashData(Encoding.UTF8.GetBytes(RpId))) { flags };
        var count = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(count, Counter);
        data.AddRange(count);
        if (!attested) return [.. data];
        data.AddRange(new byte[16]);
        data.Add((byte)(CredentialId.Length >> 8));
        data.Add((byte)CredentialId.Length);
        data.AddRange(CredentialId);
        data.AddRange(CoseKey());
        return [.. data];
    }

    private byte[] CoseKey()
    {
        var w = new CborWriter();
        if (_ec is not null)
        {
            var p = _ec.ExportParameters(false);
            w.WriteStartMap(5);
            w.WriteInt32(1); w.WriteInt32(2);
            w.WriteInt32(3); w.WriteInt32(-7);
            w.WriteInt32(-1); w.WriteInt32(1);
            w.WriteInt32(-2); w.WriteByteString(p.Q.X!);
            w.WriteInt32(-3); w.WriteByteString(p.Q.Y!);
        }
        else
        {
            var p = _rsa!.ExportParameters(false);
            w.WriteStartMap(4);
            w.WriteInt32(1); w.WriteInt32(3);
            w.WriteInt32(3); w.WriteInt32(-257);
            w.WriteInt32(-1); w.WriteByteString(p.Modulus!);
            w.WriteInt32(-2); w.WriteByteString(p.Exponent!);
        }
        w.WriteEndMap();
        return w.Encode();
    }

    private byte[] Sign(byte[] data) => _ec is not null
        ? _ec.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
        : _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
