using System.Security.Cryptography;
using NewApi.Config;

namespace NewApi.Hosting;

/// <summary>
/// SESSION_SECRET and CRYPTO_SECRET when not configured: generated once into the data directory (mode 0600) and
/// reused, so restarts keep sessions and stored keys readable. Never logged.
/// </summary>
public static class SecretBootstrap
{
    public static void Apply(GatewayConfig config)
    {
        if (string.IsNullOrEmpty(config.Security.SessionSecret))
            config.Security.SessionSecret = LoadOrCreate(Path.Combine(config.Server.DataDir, ".session_secret"));
        if (string.IsNullOrEmpty(config.Security.CryptoSecret))
            config.Security.CryptoSecret = LoadOrCreate(Path.Combine(config.Server.DataDir, ".crypto_secret"));
    }

    private static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32) return existing;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var secret = Convert.ToBase64String(SecureRandom(32));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var fs = new FileStream(path, options))
        using (var w = new StreamWriter(fs))
            w.Write(secret);
        return secret;
    }

    /// <summary>The kernel's CSPRNG (/dev/urandom) where there is one — what OpenSSL seeds from — so a first start does not
    /// load the crypto library (~3.5 MB resident) just for two secrets; RandomNumberGenerator elsewhere.</summary>
    private static byte[] SecureRandom(int count)
    {
        var bytes = new byte[count];
        if (OperatingSystem.IsLinux() && File.Exists("/dev/urandom"))
        {
            using var urandom = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            urandom.ReadExactly(bytes);
            return bytes;
        }
        RandomNumberGenerator.Fill(bytes);
        return bytes;
    }
}
