namespace NewApi.Tests.Support;

public static class RepoPaths
{
    /// <summary>The repository root (the folder holding NewApi.csproj), found from the test binary's location.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NewApi.csproj"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static string Src => Path.Combine(Root, "src");
}
