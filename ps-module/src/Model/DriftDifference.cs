namespace OutlookQrGuard.Model;

/// <summary>
/// One change since the baseline snapshot (Test-OutlookQrSignin -BaselinePath): flat, so it
/// serialises as one row (ConvertTo-Json, Export-Csv, a Log Analytics record).
/// </summary>
public sealed class DriftDifference
{
    internal DriftDifference(string organization, string severity, string path, string what, string from, string to, string baselineTakenAtUtc, string takenAtUtc)
    {
        Organization = organization;
        Severity = severity;
        Path = path;
        What = what;
        From = from;
        To = to;
        BaselineTakenAtUtc = baselineTakenAtUtc;
        TakenAtUtc = takenAtUtc;
    }

    public string Organization { get; }

    /// <summary>Worse (the tenant is more exposed than at the baseline), Better, Changed (no direction) or Info.</summary>
    public string Severity { get; }

    /// <summary>Where in the snapshot, e.g. <c>promptEnabled</c> or <c>conditionalAccess.policies[&lt;id&gt;].excludedGroups</c>.</summary>
    public string Path { get; }

    /// <summary>What changed, in words.</summary>
    public string What { get; }

    /// <summary>The baseline's value; empty when the thing did not exist then.</summary>
    public string From { get; }

    /// <summary>The current value; empty when the thing no longer exists.</summary>
    public string To { get; }

    /// <summary>When the baseline was taken (UTC, RFC 3339).</summary>
    public string BaselineTakenAtUtc { get; }

    /// <summary>When the current state was read (UTC, RFC 3339).</summary>
    public string TakenAtUtc { get; }

    public override string ToString() => $"{Severity}: {What}: '{From}' -> '{To}'";
}
