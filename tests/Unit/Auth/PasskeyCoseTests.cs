using System.Formats.Cbor;
using System.Security.Cryptography;
using NewApi.Auth.Passkeys;

namespace NewApi.Tests.Unit.Auth;

public sealed class PasskeyCoseTests
{
    private static byte[] Ec2Key(ECDsa key, int alg = -7, int crv = 1)
    {
        var p = key.ExportParameters(false);
        var w = new CborWriter();
        w.WriteStartMap(5);
        w.WriteInt32(1); w.WriteInt32(2);
        w.WriteInt32(3); w.WriteInt32(alg);
        w.WriteInt32(-1); w.WriteInt32(crv);
        w.WriteInt32(-2); w.WriteByteString(p.Q.X!);
        w.WriteInt32(-3); w.WriteByteString(p.Q.Y!);
        w.WriteEndMap();
        return w.Encode();
    }

    [Fact]
    public void Es256_VerifiesDerSignatures_AndRejectsTampering()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = CoseKey.Parse(Ec2Key(ec));
        var data = RandomNumberGenerator.GetBytes(64);
        var sig = ec.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        Assert.True(key.Verify(data, sig));
        data[0] ^= 1;
        Assert.False(key.Verify(data, sig));
    }

    [Fact]
    public void UnsupportedAlgorithmsAndCurves_AreRefused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<WebAuthnException>(() => CoseKey.Parse(Ec2Key(ec, alg: -8)));
        Assert.Throws<WebAuthnException>(() => CoseKey.Parse(Ec2Key(ec, crv: 2)));
        Assert.Throws<WebAuthnException>(() => CoseKey.Parse(new byte[] { 0xff, 0x00 }));
    }

    [Fact]
    public void AuthenticatorData_TooShortOrTruncated_IsRefused()
    {
        Assert.Throws<WebAuthnException>(() => AuthenticatorData.Parse(new byte[36]));
        var data = new byte[60];
        data[32] = 0x41;
        data[53] = 0;
        data[54] = 200;
        Assert.Throws<WebAuthnException>(() => AuthenticatorData.Parse(data));
    }

    [Fact]
    public void Ceremony_IsSingleUse_ExpiresAndIsBoundToItsUser()
    {
        var s = new NewApi.Auth.SessionData();
        var c = PasskeyCeremony.Begin(s, PasskeyCeremony.Verify, 7, 1000);
        Assert.Null(PasskeyCeremony.Take(s, PasskeyCeremony.Verify, 8, 1000));
        c = PasskeyCeremony.Begin(s, PasskeyCeremony.Verify, 7, 1000);
        Assert.Equal(c, PasskeyCeremony.Take(s, PasskeyCeremony.Verify, 7, 1000));
        Assert.Null(PasskeyCeremony.Take(s, PasskeyCeremony.Verify, 7, 1000));
        PasskeyCeremony.Begin(s, PasskeyCeremony.Login, 0, 1000);
        Assert.Null(PasskeyCeremony.Take(s, PasskeyCeremony.Login, 0, 1000 + PasskeyCeremony.LifetimeSeconds + 1));
    }
}
