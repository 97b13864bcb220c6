namespace OutlookQrGuard.Model;

/// <summary>One user's outcome from Revoke-OutlookMobileSignin.</summary>
public sealed class RevokeResult
{
    internal RevokeResult(string input, string userPrincipalName, string userId, string status, string message)
    {
        Input = input;
        UserPrincipalName = userPrincipalName;
        UserId = userId;
        Status = status;
        Message = message;
    }

    /// <summary>What was asked for: a UPN, an object id, or the device's UserDisplayNameNew.</summary>
    public string Input { get; }

    public string UserPrincipalName { get; }

    public string UserId { get; }

    /// <summary>Revoked, NotFound, Forbidden, Invalid, NotSupported (an external/guest account: Graph does not revoke its sessions), Throttled, Failed,
    /// Cancelled (the command was stopped before anything that revokes the user was sent) or Unknown (stopped while
    /// Microsoft Graph had not answered the request for the user: the sessions may have been revoked).</summary>
    public string Status { get; }

    public string Message { get; }

    public override string ToString() => $"{(UserPrincipalName.Length > 0 ? UserPrincipalName : Input)}: {Status}";
}
