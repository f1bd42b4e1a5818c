// Socket completions run on the socket engine's own threads instead of hopping to the thread pool: the relay's
// continuation after an upstream answer starts without waking another thread (about 40 µs less per relayed request on
// a small VM). Blocking work never runs there: SqliteDb hops to the pool before it touches the database. An operator
// can still choose with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
return await NewApi.Cli.CliApp.RunAsync(args);
