using NewApi.Auth.TwoFactor;
using OtpNet;

namespace NewApi.Tests.Unit.Auth;

public sealed class TwoFactorCodeTests
{
    [Theory]
    [InlineData("ABCD-EFGH", "ABCDEFGH")]
    [InlineData("abcdefgh", "ABCDEFGH")]
    [InlineData(" ab12-cd34 ", "AB12CD34")]
    [InlineData("ABCD-EFG", null)]
    [InlineData("ABCD-EFGHI", null)]
    [InlineData("ABCD_EFGH", null)]
    [InlineData("", null)]
    public void BackupCode_Normalize(string input, string? expected) => Assert.Equal(expected, BackupCodes.Normalize(input));

    [Fact]
    public void BackupCode_HashVerifies_OnlyItsOwnCode()
    {
        var codes = BackupCodes.Generate();
        var hash = BackupCodes.Hash(codes[0]);
        Assert.True(BackupCodes.Verify(BackupCodes.Normalize(codes[0])!, hash));
        Assert.False(BackupCodes.Verify(BackupCodes.Normalize(codes[1])!, hash));
        Assert.DoesNotContain(codes[0].Replace("-", ""), hash);
    }

    [Fact]
    public void BackupCode_ImportedBcryptHash_IsAccepted()
    {
        var bcrypt = BCrypt.Net.BCrypt.HashPassword("ABCD-EFGH", 4);
        Assert.True(BackupCodes.Verify("ABCDEFGH", bcrypt));
        Assert.False(BackupCodes.Verify("ABCDEFGX", bcrypt));
    }

    [Fact]
    public void Totp_Window_IsOneStepEitherWay()
    {
        var secret = NewApi.Auth.TwoFactor.Totp.NewSecret();
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 15, TimeSpan.Zero);
        var otp = new OtpNet.Totp(Base32Encoding.ToBytes(secret));
        Assert.True(NewApi.Auth.TwoFactor.Totp.Matches(secret, otp.ComputeTotp(now.UtcDateTime), now, out var step));
        Assert.Equal(now.ToUnixTimeSeconds() / 30, step);
        Assert.True(NewApi.Auth.TwoFactor.Totp.Matches(secret, otp.ComputeTotp(now.UtcDateTime.AddSeconds(-30)), now, out _));
        Assert.True(NewApi.Auth.TwoFactor.Totp.Matches(secret, otp.ComputeTotp(now.UtcDateTime.AddSeconds(30)), now, out _));
        Assert.False(NewApi.Auth.TwoFactor.Totp.Matches(secret, otp.ComputeTotp(now.UtcDateTime.AddSeconds(-60)), now, out _));
        Assert.Null(NewApi.Auth.TwoFactor.Totp.CleanCode("12345"));
        Assert.Equal("123456", NewApi.Auth.TwoFactor.Totp.CleanCode("123 456"));
    }

    [Fact]
    public void OtpAuthUri_EscapesIssuerAndName()
    {
        var uri = NewApi.Auth.TwoFactor.Totp.OtpAuthUri("New API", "a b", "SECRET");
        Assert.Equal("otpauth://totp/New%20API:a%20b?secret=SECRET&issuer=New%20API&digits=6&period=30", uri);
    }
}
