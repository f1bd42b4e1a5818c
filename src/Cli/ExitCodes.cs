namespace NewApi.Cli;

/// <summary>Process exit codes (documented in README).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Config = 3;
    public const int Conflict = 4;
    public const int NotFound = 5;
    public const int Database = 6;
}
