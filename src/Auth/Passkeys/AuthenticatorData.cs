using System.Buffers.Binary;
using System.Formats.Cbor;

namespace NewApi.Auth.Passkeys;

/// <summary>WebAuthn authenticator data (§6.1): rpIdHash, flags, signCount and, at registration, the attested credential.</summary>
public sealed class AuthenticatorData
{
    public required byte[] RpIdHash { get; init; }
    public required byte Flags { get; init; }
    public required uint SignCount { get; init; }
    public byte[]? Aaguid { get; init; }
    public byte[]? CredentialId { get; init; }
    public byte[]? CosePublicKey { get; init; }

    public bool UserPresent => (Flags & 0x01) != 0;
    public bool UserVerified => (Flags & 0x04) != 0;
    public bool BackupEligible => (Flags & 0x08) != 0;
    public bool BackupState => (Flags & 0x10) != 0;
    public bool HasAttestedCredential => (Flags & 0x40) != 0;

    public static AuthenticatorData Parse(byte[] data)
    {
        if (data.Length < 37) throw new WebAuthnException("authenticator data too short");
        var flags = data[32];
        var count = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(33, 4));
        if ((flags & 0x40) == 0) return new AuthenticatorData { RpIdHash = data[..32], Flags = flags, SignCount = count };
        if (data.Length < 55) throw new WebAuthnException("attested credential data truncated");
        var aaguid = data[37..53];
        var idLen = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(53, 2));
        if (idLen is 0 or > 1023 || data.Length < 55 + idLen + 1) throw new WebAuthnException("credential id length invalid");
        var credId = data[55..(55 + idLen)];
        var rest = data.AsMemory(55 + idLen);
        int keyLength;
        try
        {
            var reader = new CborReader(rest, CborConformanceMode.Lax, allowMultipleRootLevelValues: true);
            reader.SkipValue();
            keyLength = rest.Length - reader.BytesRemaining;
        }
        catch (CborContentException)
        {
            throw new WebAuthnException("credential public key malformed");
        }
        return new AuthenticatorData
        {
            RpIdHash = data[..32], Flags = flags, SignCount = count, Aaguid = aaguid, CredentialId = credId,
            CosePublicKey = rest[..keyLength].ToArray(),
        };
    }
}
