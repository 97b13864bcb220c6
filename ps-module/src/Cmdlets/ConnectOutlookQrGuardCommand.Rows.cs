using System;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Connect-OutlookQrGuard over a list of tenants (Import-Csv tenants.csv | Connect-OutlookQrGuard):
/// one session per row, a failing row reported as a non-terminating error naming its tenant,
/// the other rows carry on.
/// </summary>
/// <remarks>
/// The row's AppId / CertificateThumbprint / CertificatePath / ManagedIdentity are read from the
/// row by property name here rather than bound by PowerShell: a CSV row has every column (empty
/// strings included), and PowerShell's binder refuses an empty string for a validated parameter
/// or cannot pick one parameter set when several set-specific columns are bound. The tenant
/// (Organization / TenantId / Tenant column) binds by property name as usual.
/// </remarks>
public sealed partial class ConnectOutlookQrGuardCommand
{
    private const string InputObjectSet = "InputObject";

    /// <summary>Set while a row is connected: the parameter set the row amounts to.</summary>
    private string? _rowSet;

    private string EffectiveSet => _rowSet ?? ParameterSetName;

    /// <summary>
    /// A tenant row: Organization (or TenantId), AppId, and exactly one of CertificateThumbprint,
    /// CertificatePath (with -CertificatePassword for the whole list) or ManagedIdentity
    /// (True/False, Yes/No, 1/0; AppId then names a user-assigned identity).
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public PSObject? InputObject { get; set; }

    private void ConnectRow()
    {
        var row = InputObject!;
        var tenant = TenantId;
        try
        {
            _rowSet = ReadRow(row, tenant);
            _signer = null;
            ConnectAndWrite(BuildRequest());
        }
        catch (OutlookQrGuardException e)
        {
            var record = NativeErrorMapper.ToErrorRecord(e, tenant);
            record.ErrorDetails = new ErrorDetails(string.Format(Messages.ConnectRowFailed, tenant, record.ErrorDetails?.Message ?? e.Message));
            WriteError(record);
        }
        catch (Exception e) when (e is IContainsErrorRecord && e is not PipelineStoppedException)
        {
            // A row the cmdlet itself refused (no method, certificate not found…): this row only.
            var record = ((IContainsErrorRecord)e).ErrorRecord;
            WriteError(new ErrorRecord(e, record.FullyQualifiedErrorId.Split(',')[0], record.CategoryInfo.Category, tenant)
            {
                ErrorDetails = new ErrorDetails(string.Format(Messages.ConnectRowFailed, tenant, e.Message)),
            });
        }
        finally
        {
            _rowSet = null;
            AppId = string.Empty;
            CertificateThumbprint = string.Empty;
            CertificateFilePath = string.Empty;
            ManagedIdentity = false;
            ManagedIdentityAccountId = null;
        }
    }

    /// <summary>Copies the row into the parameters and returns the parameter set it amounts to.</summary>
    private string ReadRow(PSObject row, string tenant)
    {
        string Text(string name) => (row.Properties[name]?.Value?.ToString() ?? string.Empty).Trim();
        var appId = Text("AppId");
        if (appId.Length == 0) appId = Text("ClientId");
        var thumbprint = Text("CertificateThumbprint");
        var path = Text("CertificatePath");
        if (path.Length == 0) path = Text("CertificateFilePath");
        var managed = Flag(row.Properties["ManagedIdentity"]?.Value, tenant);
        var methods = (thumbprint.Length > 0 ? 1 : 0) + (path.Length > 0 ? 1 : 0) + (managed ? 1 : 0);
        if (methods != 1)
        {
            throw new PSArgumentException(string.Format(methods == 0 ? Messages.ConnectRowNoMethod : Messages.ConnectRowManyMethods, tenant));
        }
        if (!managed && appId.Length == 0)
        {
            throw new PSArgumentException(string.Format(Messages.ConnectRowNoAppId, tenant));
        }
        AppId = appId;
        if (managed)
        {
            ManagedIdentity = true;
            ManagedIdentityAccountId = appId.Length > 0 ? appId : null;
            return ManagedIdentitySet;
        }
        if (thumbprint.Length > 0)
        {
            CertificateThumbprint = thumbprint;
            return ThumbprintSet;
        }
        CertificateFilePath = path;
        return CertificateFileSet;
    }

    /// <summary>A CSV cell as a switch: empty, False, No, 0 are off; True, Yes, 1 are on; else an error.</summary>
    internal static bool Flag(object? value, string tenant)
    {
        value = value is PSObject ps ? ps.BaseObject : value;
        switch (value)
        {
            case null:
                return false;
            case bool b:
                return b;
            case SwitchParameter s:
                return s.IsPresent;
        }
        var text = value?.ToString()?.Trim() ?? string.Empty;
        if (text.Length == 0 || text == "0" || text.Equals("False", StringComparison.OrdinalIgnoreCase) || text.Equals("No", StringComparison.OrdinalIgnoreCase) || text.Equals("$false", StringComparison.OrdinalIgnoreCase)) return false;
        if (text == "1" || text.Equals("True", StringComparison.OrdinalIgnoreCase) || text.Equals("Yes", StringComparison.OrdinalIgnoreCase) || text.Equals("$true", StringComparison.OrdinalIgnoreCase)) return true;
        throw new PSArgumentException(string.Format(Messages.ConnectRowBadFlag, tenant, text));
    }
}
