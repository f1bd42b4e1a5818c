using System.CommandLine;
using NewApi.Common;

namespace NewApi.Cli;

public static class VersionCommand
{
    public static Command Create()
    {
        var cmd = new Command("version", "Print the version");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"newapi {BuildInfo.Version} ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
