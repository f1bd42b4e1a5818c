using NewApi.Common;

namespace NewApi.Auth;

/// <summary>The authenticated management caller, set by <see cref="RoleFilter"/> as a typed request feature.</summary>
public sealed record CurrentUser(long Id, string Username, Role Role, string Group, bool ViaAccessToken)
{
    public bool IsAdmin => Role >= Role.Admin;
    public bool IsRoot => Role >= Role.Root;

    /// <summary>new-api's target rule: root may act on anyone; others only on strictly lower roles.</summary>
    public bool CanManage(Role target) => Role == Role.Root || Role > target;
}

public interface ICurrentUserFeature
{
    CurrentUser User { get; }
}

internal sealed class CurrentUserFeature(CurrentUser user) : ICurrentUserFeature
{
    public CurrentUser User { get; } = user;
}
