namespace NewApi.Hosting.Front;

internal sealed partial class FrontLoop
{
    private readonly Dictionary<string, Stack<UpstreamConnection>> _idle = new(StringComparer.Ordinal);

    /// <summary>An idle pooled connection to <paramref name="origin"/>, or null.</summary>
    public UpstreamConnection? RentUpstream(string origin)
    {
        lock (_idle)
        {
            if (!_idle.TryGetValue(origin, out var stack)) return null;
            while (stack.TryPop(out var connection))
                if (connection.LeavePool()) return connection;
        }
        return null;
    }

    public void ReturnUpstream(UpstreamConnection connection)
    {
        lock (_idle)
        {
            if (!_idle.TryGetValue(connection.Origin, out var stack)) _idle[connection.Origin] = stack = new Stack<UpstreamConnection>();
            connection.EnterPool();
            stack.Push(connection);
        }
    }

    /// <summary>An idle connection the upstream closed (or that idled too long): out of the pool and closed.</summary>
    public void DropIdle(UpstreamConnection connection)
    {
        lock (_idle)
        {
            if (!connection.LeavePool()) return;
            if (_idle.TryGetValue(connection.Origin, out var stack) && stack.Count > 0)
            {
                var kept = stack.Where(c => !ReferenceEquals(c, connection)).Reverse().ToArray();
                stack.Clear();
                foreach (var c in kept) stack.Push(c);
            }
        }
        connection.Close();
    }
}
