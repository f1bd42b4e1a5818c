using NewApi.Relay.Convert.Model;

namespace NewApi.Relay.Convert.Shared;

/// <summary>What a request writer needs besides the request: options, and where to report remote media and dropped features.</summary>
internal sealed class WriteContext(RequestOptions options, ConvRequest request)
{
    public RequestOptions Options { get; } = options;
    public List<MediaSlot> Slots { get; } = [];
    public List<string> Notes => request.Notes;
    public string? Model => Options.Model ?? request.Model;

    public void Note(string note)
    {
        if (!Notes.Contains(note)) Notes.Add(note);
    }
}
