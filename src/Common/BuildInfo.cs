namespace NewApi.Common;

public static class BuildInfo
{
    public const string Version = "v0.1.0";
    /// <summary>Constant the New API console uses to detect a compatible backend (header Auth-Version).</summary>
    public const string AuthVersion = "864b7076dbcd0a3c01b5520316720ebf";
}
