using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>A user, group or role a Conditional Access policy excludes: each one is a way past the block.</summary>
public sealed class DirectoryObject
{
    internal DirectoryObject(DirectoryObjectRef r)
    {
        Id = r.id;
        DisplayName = r.display_name;
        Kind = r.kind;
    }

    public string Id { get; }

    /// <summary>Empty when the directory could not name it (deleted, or no permission to read it).</summary>
    public string DisplayName { get; }

    /// <summary>User, Group or Role.</summary>
    public string Kind { get; }

    public override string ToString() => DisplayName.Length > 0 ? $"{Kind} '{DisplayName}' ({Id})" : $"{Kind} {Id}";
}
