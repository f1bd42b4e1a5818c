return await NewApi.Cli.CliApp.RunAsync(args);
