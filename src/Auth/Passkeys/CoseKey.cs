using System.Formats.Cbor;
using System.Security.Cryptography;

namespace NewApi.Auth.Passkeys;

/// <summary>
/// A credential public key in COSE_Key form (RFC 9052/9053). Supported: ES256 (EC2, P-256) and RS256 (RSA,
/// PKCS#1 v1.5 with SHA-256) — what browsers offer for the pubKeyCredParams we send.
/// </summary>
public sealed class CoseKey
{
    public const int Es256 = -7;
    public const int Rs256 = -257;

    private CoseKey(int alg, ECParameters? ec, RSAParameters? rsa)
    {
        Algorithm = alg;
        _ec = ec;
        _rsa = rsa;
    }

    private readonly ECParameters? _ec;
    private readonly RSAParameters? _rsa;

    public int Algorithm { get; }

    /// <summary>Parses one COSE key; throws <see cref="WebAuthnException"/> on anything unsupported or malformed.</summary>
    public static CoseKey Parse(ReadOnlyMemory<byte> cbor)
    {
        try
        {
            var r = new CborReader(cbor, CborConformanceMode.Lax);
            var map = ReadMap(r);
            var kty = map.TryGetValue(1, out var k) ? k as long? : null;
            var alg = map.TryGetValue(3, out var a) ? a as long? : null;
            if (kty == 2 && alg == Es256)
            {
                if (map.GetValueOrDefault(-1) as long? != 1 || map.GetValueOrDefault(-2) is not byte[] { Length: 32 } x
                    || map.GetValueOrDefault(-3) is not byte[] { Length: 32 } y)
                    throw new WebAuthnException("unsupported EC2 key (P-256 required)");
                var p = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
                p.Validate();
                return new CoseKey(Es256, p, null);
            }
            if (kty == 3 && alg == Rs256)
            {
                if (map.GetValueOrDefault(-1) is not byte[] { Length: >= 256 } n || map.GetValueOrDefault(-2) is not byte[] { Length: > 0 } e)
                    throw new WebAuthnException("unsupported RSA key (2048 bits or more required)");
                return new CoseKey(Rs256, null, new RSAParameters { Modulus = n, Exponent = e });
            }
            throw new WebAuthnException("unsupported public key algorithm");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or CryptographicException or FormatException)
        {
            throw new WebAuthnException("malformed public key");
        }
    }

    /// <summary>Verifies a WebAuthn signature (ES256 signatures are DER-encoded).</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            if (_ec is { } ec)
            {
                using var key = ECDsa.Create(ec);
                return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            using var rsa = RSA.Create(_rsa!.Value);
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static Dictionary<long, object> ReadMap(CborReader r)
    {
        var map = new Dictionary<long, object>();
        var count = r.ReadStartMap();
        for (var i = 0; count is null ? r.PeekState() != CborReaderState.EndMap : i < count; i++)
        {
            var key = r.ReadInt64();
            object value = r.PeekState() switch
            {
                CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => r.ReadInt64(),
                CborReaderState.ByteString => r.ReadByteString(),
                _ => Skip(r),
            };
            map[key] = value;
        }
        r.ReadEndMap();
        return map;
    }

    private static object Skip(CborReader r)
    {
        r.SkipValue();
        return "";
    }
}

public sealed class WebAuthnException(string message) : Exception(message);
