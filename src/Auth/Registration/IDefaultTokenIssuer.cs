namespace NewApi.Auth.Registration;

/// <summary>Creates a new user's first API key (GENERATE_DEFAULT_TOKEN); implemented where API keys are managed.</summary>
public interface IDefaultTokenIssuer
{
    /// <summary>Null on success, else the reason.</summary>
    Task<string?> IssueAsync(long userId, string username, CancellationToken ct);
}
