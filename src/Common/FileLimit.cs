using System.Runtime.InteropServices;

namespace NewApi.Common;

/// <summary>
/// The process's limit on open files. A gateway holds two descriptors per relayed call (the client's, the upstream's),
/// so the usual soft limit of 1024 would refuse connections at ~500 concurrent streams. Go's runtime (New API's) and
/// .NET's JIT runtime raise the soft limit to the hard one at start; a Native AOT binary does not, so `serve` does.
/// </summary>
public static partial class FileLimit
{
    private const int RlimitNofile = 7;   // Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);

    /// <summary>The soft limit, raised to the hard limit; (before, after), or null where that is not possible.</summary>
    public static (ulong Before, ulong After)? RaiseToHardLimit()
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (GetRLimit(RlimitNofile, out var limit) != 0) return null;
        var before = limit.Current;
        if (limit.Current >= limit.Maximum) return (before, before);
        limit.Current = limit.Maximum;
        return SetRLimit(RlimitNofile, limit) == 0 ? (before, limit.Current) : (before, before);
    }
}
