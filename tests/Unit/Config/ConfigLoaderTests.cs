using NewApi.Config;

namespace NewApi.Tests.Unit.Config;

public sealed class ConfigLoaderTests
{
    private static Dictionary<string, string?> Env(params (string, string)[] kv) => kv.ToDictionary(p => p.Item1, p => (string?)p.Item2);

    [Fact]
    public void ExampleFile_LoadsAsIs_AndMatchesDefaults()
    {
        var c = ConfigLoader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config.example.toml")), "config.example.toml");
        Assert.Empty(ConfigValidator.Validate(c));
        Assert.Equal("127.0.0.1:3000", c.Server.Listen);
        Assert.Equal(360, c.RateLimit.GlobalApi);
        Assert.Equal(128, c.Relay.MaxRequestBodyMb);
    }

    [Fact]
    public void Precedence_FlagsOverEnvOverFileOverDefaults()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var path = Path.Combine(dir.FullName, "c.toml");
            File.WriteAllText(path, "[server]\nlisten = \"127.0.0.1:4000\"\ndata_dir = \"fromfile\"\n[relay]\nstreaming_timeout = 10\n");
            var c = ConfigLoader.Load(new ConfigLoader.Overrides(path), Env());
            Assert.Equal("127.0.0.1:4000", c.Server.Listen);
            Assert.Equal(10, c.Relay.StreamingTimeout);
            c = ConfigLoader.Load(new ConfigLoader.Overrides(path), Env(("PORT", "5000"), ("STREAMING_TIMEOUT", "20")));
            Assert.Equal("0.0.0.0:5000", c.Server.Listen);
            Assert.Equal(20, c.Relay.StreamingTimeout);
            c = ConfigLoader.Load(new ConfigLoader.Overrides(path, Port: 6000, DataDir: "flagdir"), Env(("PORT", "5000")));
            Assert.Equal("0.0.0.0:6000", c.Server.Listen);
            Assert.Equal("flagdir", c.Server.DataDir);
        }
        finally { dir.Delete(true); }
    }

    [Theory]
    [InlineData("SQL_DSN", "postgres://u:p@h/db", "database.dsn")]
    [InlineData("PORT", "abc", "PORT")]
    [InlineData("STREAMING_TIMEOUT", "0", "relay.streaming_timeout")]
    [InlineData("SESSION_SECRET", "random_string", "session_secret")]
    [InlineData("GLOBAL_API_RATE_LIMIT_ENABLE", "perhaps", "GLOBAL_API_RATE_LIMIT_ENABLE")]
    public void BadValues_StopTheStartNamingTheKey(string name, string value, string expectedKey)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(new ConfigLoader.Overrides(), Env((name, value))));
        Assert.Contains(expectedKey, e.Message);
    }

    [Fact]
    public void BadToml_ReportsTheFile()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("[server\nlisten=", "x.toml"));
        Assert.StartsWith("x.toml", e.Message);
    }

    [Fact]
    public void MissingExplicitConfigFile_IsAnError()
    {
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(new ConfigLoader.Overrides("/nonexistent/c.toml"), Env()));
    }
}
