using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace NewApi.Auth.Passkeys;

/// <summary>What a verified registration yields for storage.</summary>
public sealed record RegisteredCredential(byte[] CredentialId, byte[] CosePublicKey, byte[] Aaguid, uint SignCount, string AttestationType,
    AuthenticatorData AuthData, string Transports, string Attachment);

/// <summary>What a verified assertion yields.</summary>
public sealed record VerifiedAssertion(uint SignCount, AuthenticatorData AuthData);

/// <summary>
/// WebAuthn Level 2 relying-party checks (§7.1 registration, §7.2 assertion) for the credential JSON the console posts
/// (PublicKeyCredential with base64url fields). Attestation formats: "none" and "packed" (self or x5c; the certificate
/// chain is not judged against a trust store, as New API's default attestation preference "none" implies).
/// </summary>
public static class WebAuthnVerifier
{
    public static RegisteredCredential VerifyRegistration(JsonElement credential, string expectedChallenge, PasskeyRp rp)
    {
        var response = Response(credential);
        var clientDataJson = Bytes(response, "clientDataJSON");
        CheckClientData(clientDataJson, "webauthn.create", expectedChallenge, rp);
        var (fmt, attStmt, authDataBytes) = ReadAttestationObject(Bytes(response, "attestationObject"));
        var auth = AuthenticatorData.Parse(authDataBytes);
        CheckAuthData(auth, rp);
        if (!auth.HasAttestedCredential || auth.CredentialId is null || auth.CosePublicKey is null)
            throw new WebAuthnException("no attested credential");
        var key = CoseKey.Parse(auth.CosePublicKey);
        var rawId = Base64Url.Decode(Str(credential, "rawId") ?? Str(credential, "id"));
        if (rawId is null || !CryptographicOperations.FixedTimeEquals(rawId, auth.CredentialId)) throw new WebAuthnException("credential id mismatch");
        var signed = Concat(authDataBytes, SHA256.HashData(clientDataJson));
        var attType = VerifyAttestation(fmt, attStmt, key, signed);
        var transports = response.TryGetProperty("transports"u8, out var t) && t.ValueKind == JsonValueKind.Array ? t.GetRawText() : "";
        return new RegisteredCredential(auth.CredentialId, auth.CosePublicKey, auth.Aaguid ?? new byte[16], auth.SignCount, attType, auth,
            transports, Str(credential, "authenticatorAttachment") ?? "");
    }

    public static VerifiedAssertion VerifyAssertion(JsonElement credential, string expectedChallenge, PasskeyRp rp, byte[] cosePublicKey)
    {
        var response = Response(credential);
        var clientDataJson = Bytes(response, "clientDataJSON");
        CheckClientData(clientDataJson, "webauthn.get", expectedChallenge, rp);
        var authDataBytes = Bytes(response, "authenticatorData");
        var auth = AuthenticatorData.Parse(authDataBytes);
        CheckAuthData(auth, rp);
        var signature = Bytes(response, "signature");
        if (!CoseKey.Parse(cosePublicKey).Verify(Concat(authDataBytes, SHA256.HashData(clientDataJson)), signature))
            throw new WebAuthnException("signature invalid");
        return new VerifiedAssertion(auth.SignCount, auth);
    }

    /// <summary>The raw credential id the client claims (to find the stored credential before verifying).</summary>
    public static byte[]? ClaimedCredentialId(JsonElement credential) =>
        credential.ValueKind == JsonValueKind.Object ? Base64Url.Decode(Str(credential, "rawId") ?? Str(credential, "id")) : null;

    public static byte[]? UserHandle(JsonElement credential) =>
        credential.ValueKind == JsonValueKind.Object && credential.TryGetProperty("response"u8, out var r) && r.ValueKind == JsonValueKind.Object
            ? Base64Url.Decode(Str(r, "userHandle")) : null;

    private static void CheckClientData(byte[] json, string type, string expectedChallenge, PasskeyRp rp)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new WebAuthnException("client data malformed");
        }
        if (root.ValueKind != JsonValueKind.Object || Str(root, "type") != type) throw new WebAuthnException("client data type mismatch");
        var got = Base64Url.Decode(Str(root, "challenge"));
        var want = Base64Url.Decode(expectedChallenge);
        if (got is null || want is null || !CryptographicOperations.FixedTimeEquals(got, want)) throw new WebAuthnException("challenge mismatch");
        var origin = Str(root, "origin");
        if (origin is null || !rp.Origins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)) throw new WebAuthnException("origin not allowed");
    }

    private static void CheckAuthData(AuthenticatorData auth, PasskeyRp rp)
    {
        if (!CryptographicOperations.FixedTimeEquals(auth.RpIdHash, SHA256.HashData(Encoding.UTF8.GetBytes(rp.RpId))))
            throw new WebAuthnException("rp id mismatch");
        if (!auth.UserPresent) throw new WebAuthnException("user not present");
        if (rp.UserVerification == "required" && !auth.UserVerified) throw new WebAuthnException("user verification required");
    }

    private static (string Fmt, byte[] AttStmt, byte[] AuthData) ReadAttestationObject(byte[] cbor)
    {
        try
        {
            var r = new CborReader(cbor, CborConformanceMode.Lax);
            string? fmt = null;
            byte[]? attStmt = null, authData = null;
            var count = r.ReadStartMap();
            for (var i = 0; count is null ? r.PeekState() != CborReaderState.EndMap : i < count; i++)
            {
                switch (r.ReadTextString())
                {
                    case "fmt": fmt = r.ReadTextString(); break;
                    case "authData": authData = r.ReadByteString(); break;
                    case "attStmt": attStmt = r.ReadEncodedValue().ToArray(); break;
                    default: r.SkipValue(); break;
                }
            }
            r.ReadEndMap();
            if (fmt is null || attStmt is null || authData is null) throw new WebAuthnException("attestation object incomplete");
            return (fmt, attStmt, authData);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            throw new WebAuthnException("attestation object malformed");
        }
    }

    private static string VerifyAttestation(string fmt, byte[] attStmt, CoseKey key, byte[] signed)
    {
        var r = new CborReader(attStmt, CborConformanceMode.Lax);
        var count = r.ReadStartMap();
        if (fmt == "none")
        {
            if (count is not 0) throw new WebAuthnException("attestation statement of fmt none must be empty");
            return "none";
        }
        if (fmt != "packed") throw new WebAuthnException("unsupported attestation format " + fmt);
        long? alg = null;
        byte[]? sig = null, leaf = null;
        for (var i = 0; count is null ? r.PeekState() != CborReaderState.EndMap : i < count; i++)
        {
            switch (r.ReadTextString())
            {
                case "alg": alg = r.ReadInt64(); break;
                case "sig": sig = r.ReadByteString(); break;
                case "x5c":
                    var n = r.ReadStartArray();
                    for (var j = 0; n is null ? r.PeekState() != CborReaderState.EndArray : j < n; j++)
                        if (j == 0) leaf = r.ReadByteString(); else r.SkipValue();
                    r.ReadEndArray();
                    break;
                default: r.SkipValue(); break;
            }
        }
        if (alg is null || sig is null) throw new WebAuthnException("packed attestation incomplete");
        if (leaf is null)
        {
            if (alg != key.Algorithm || !key.Verify(signed, sig)) throw new WebAuthnException("self attestation signature invalid");
            return "self";
        }
        using var cert = X509CertificateLoader.LoadCertificate(leaf);
        var ok = alg switch
        {
            CoseKey.Es256 => cert.GetECDsaPublicKey() is { } ec && Dispose(ec, ec.VerifyData(signed, sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            CoseKey.Rs256 => cert.GetRSAPublicKey() is { } rsa && Dispose(rsa, rsa.VerifyData(signed, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
            _ => false,
        };
        if (!ok) throw new WebAuthnException("attestation signature invalid");
        return "basic";
    }

    private static bool Dispose(IDisposable d, bool value)
    {
        d.Dispose();
        return value;
    }

    private static JsonElement Response(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object || Str(credential, "type") is { } t && t != "public-key"
            || !credential.TryGetProperty("response"u8, out var r) || r.ValueKind != JsonValueKind.Object)
            throw new WebAuthnException("credential malformed");
        return r;
    }

    private static byte[] Bytes(JsonElement obj, string name) =>
        Base64Url.Decode(Str(obj, name)) ?? throw new WebAuthnException(name + " missing");

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r, 0);
        b.CopyTo(r, a.Length);
        return r;
    }
}
