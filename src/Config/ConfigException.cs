namespace NewApi.Config;

public sealed class ConfigException(string message) : Exception(message);
