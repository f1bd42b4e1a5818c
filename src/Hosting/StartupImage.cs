using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NewApi.Hosting;

/// <summary>
/// Gives back the parts of the executable's image that only start-up reads, once the server is up:
/// <list type="bullet">
/// <item>the runtime's type data as the AOT compiler stores it, compressed ("dehydrated", ~3.7 MB): the runtime
/// expands it once while the process starts and never reads it again;</item>
/// <item>the code only start-up runs (~1.2 MB): src/layout.order places those methods together, between
/// <see cref="StartupCodeBegins"/> and <see cref="StartupCodeEnds"/> (bench/layout.sh records which they are).</item>
/// </list>
/// Their pages are dropped from this process with <c>madvise(MADV_DONTNEED)</c> on read-only file mappings: were they
/// ever needed again, the kernel maps them back from the file, so this can cost a page fault but never correctness.
/// Found through the module's ReadyToRun header (the pointer in the <c>__modules</c> section); every step is checked
/// and anything unexpected — not Linux, not the AOT binary, another header version, a range outside the image's
/// read-only mappings — leaves the process as it was.
/// </summary>
public static unsafe class StartupImage
{
    private const uint ReadyToRunSignature = 0x00525452; // "RTR"
    private const int DehydratedData = 207;
    private const int HasEndPointer = 1;
    private const int MadvDontNeed = 4;

    /// <summary>Bytes given back: (compressed type data, start-up code); zeros where nothing was done.</summary>
    public static (long Data, long Code) ReleaseStartupOnlyData()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported) return (0, 0);
            var exe = Environment.ProcessPath;
            if (exe is null) return (0, 0);
            var mappings = ImageMappings(exe);
            return (ReleaseDehydratedData(exe, mappings), ReleaseStartupCode(mappings));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or ArgumentException)
        {
            return (0, 0);
        }
    }

    /// <summary>Placed by src/layout.order right before the methods only start-up runs; never called.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int StartupCodeBegins() => 0x5354_4152; // distinct bodies: the compiler folds identical methods

    /// <summary>Placed by src/layout.order right after the methods only start-up runs; never called.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int StartupCodeEnds() => 0x454E_4453;

    private static long ReleaseStartupCode(List<Mapping> mappings)
    {
        delegate*<int> begins = &StartupCodeBegins, ends = &StartupCodeEnds;
        ulong start = (ulong)begins, end = (ulong)ends;
        // A stale or missing order file puts the markers anywhere: only a plausible bracket inside the code is used.
        if (end <= start || end - start > 64UL << 20 || !Inside(mappings, start, end - start, writable: false)) return 0;
        return Release(start, end);
    }

    private static long Release(ulong start, ulong end)
    {
        const ulong page = 4096;
        ulong from = (start + page - 1) & ~(page - 1), to = end & ~(page - 1);
        if (to <= from) return 0;
        return madvise((nint)from, (nuint)(to - from), MadvDontNeed) == 0 ? (long)(to - from) : 0;
    }

    private static long ReleaseDehydratedData(string exe, List<Mapping> mappings)
    {
        if (ModulesSection(exe) is not { } modules) return 0;
        if (mappings.Count == 0 || mappings[0].Offset != 0) return 0;
        var load = mappings[0].Start;
        if (!Inside(mappings, load + modules, 8, writable: true)) return 0;
        var header = *(ulong*)(load + modules);
        if (!Inside(mappings, header, 16, writable: true)) return 0;
        var h = (byte*)header;
        if (*(uint*)h != ReadyToRunSignature) return 0;
        int sections = *(ushort*)(h + 12), entrySize = h[14];
        if (entrySize < 24 || sections is <= 0 or > 1000 || !Inside(mappings, header + 16, (ulong)(sections * entrySize), writable: true)) return 0;
        for (var i = 0; i < sections; i++)
        {
            var row = h + 16 + i * entrySize;
            if (*(int*)row != DehydratedData || (*(int*)(row + 4) & HasEndPointer) == 0) continue;
            ulong start = *(ulong*)(row + 8), end = *(ulong*)(row + 16);
            return end > start && Inside(mappings, start, end - start, writable: false) ? Release(start, end) : 0;
        }
        return 0;
    }

    private readonly record struct Mapping(ulong Start, ulong End, ulong Offset, bool Writable);

    /// <summary>
    /// The executable's own mappings from /proc/self/smaps, in address order. A mapping holding any private copy of a
    /// page (relocated read-only data, for instance) counts as writable: dropping such a page would lose its contents.
    /// </summary>
    private static List<Mapping> ImageMappings(string exe)
    {
        var list = new List<Mapping>();
        var mine = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (IsMappingLine(line))
            {
                // start-end perms offset dev inode path
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                mine = parts.Length >= 6 && string.Join(' ', parts[5..]) == exe;
                if (!mine) continue;
                var range = parts[0].Split('-');
                list.Add(new Mapping(Convert.ToUInt64(range[0], 16), Convert.ToUInt64(range[1], 16), Convert.ToUInt64(parts[2], 16), parts[1][1] == 'w'));
            }
            else if (mine && line.StartsWith("Anonymous:", StringComparison.Ordinal) && !line.AsSpan("Anonymous:".Length).Trim().StartsWith("0 "))
            {
                list[^1] = list[^1] with { Writable = true };
            }
        }
        return list;
    }

    /// <summary>A mapping's first line in smaps ("start-end perms offset dev inode [path]"), not one of its fields.</summary>
    private static bool IsMappingLine(string line)
    {
        var dash = line.IndexOf('-');
        return dash > 0 && line.IndexOf(' ') > dash && !line.AsSpan(0, dash).ContainsAnyExcept("0123456789abcdef");
    }

    /// <summary>
    /// Whether [start, start + length) lies in the image's mappings, contiguous ones allowed; with
    /// <paramref name="writable"/> false, only in read-only ones.
    /// </summary>
    private static bool Inside(List<Mapping> mappings, ulong start, ulong length, bool writable)
    {
        var end = start + length;
        if (end < start) return false;
        var at = start;
        foreach (var m in mappings)
        {
            if (at < m.Start || at >= m.End) continue;
            if (m.Writable && !writable) return false;
            at = m.End;
            if (at >= end) return true;
        }
        return false;
    }

    /// <summary>The <c>__modules</c> section's address relative to the load address, from the ELF section headers.</summary>
    private static ulong? ModulesSection(string exe)
    {
        using var f = File.OpenRead(exe);
        Span<byte> eh = stackalloc byte[64];
        if (f.Read(eh) != 64 || eh[0] != 0x7f || eh[1] != (byte)'E' || eh[2] != (byte)'L' || eh[3] != (byte)'F' || eh[4] != 2 || eh[5] != 1) return null;
        var shoff = BinaryPrimitives.ReadUInt64LittleEndian(eh[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(eh[0x3A..]), shnum = BinaryPrimitives.ReadUInt16LittleEndian(eh[0x3C..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(eh[0x3E..]);
        if (shentsize < 64 || shnum is 0 or > 4096 || shstrndx >= shnum) return null;
        var table = new byte[shentsize * shnum];
        f.Position = (long)shoff;
        f.ReadExactly(table);
        var names = table.AsSpan(shstrndx * shentsize, shentsize);
        var strOffset = BinaryPrimitives.ReadUInt64LittleEndian(names[0x18..]);
        var strSize = BinaryPrimitives.ReadUInt64LittleEndian(names[0x20..]);
        if (strSize > 1 << 20) return null;
        var strings = new byte[strSize];
        f.Position = (long)strOffset;
        f.ReadExactly(strings);
        for (var i = 0; i < shnum; i++)
        {
            var sh = table.AsSpan(i * shentsize, shentsize);
            var nameAt = BinaryPrimitives.ReadUInt32LittleEndian(sh);
            if (nameAt >= strings.Length) continue;
            var name = strings.AsSpan((int)nameAt);
            var len = name.IndexOf((byte)0);
            if (len < 0 || !name[..len].SequenceEqual("__modules"u8)) continue;
            var size = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]);
            return size >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(sh[0x10..]) : null;
        }
        return null;
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int madvise(nint addr, nuint length, int advice);
}
