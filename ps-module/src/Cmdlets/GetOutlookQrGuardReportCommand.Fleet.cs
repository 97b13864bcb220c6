using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Cmdlets;

/// <summary>
/// Get-OutlookQrGuardReport -FleetRow: one page over many tenants from Get-OutlookQrFleetStatus
/// rows (piped in or given), worst first, as HTML or JSON.
/// </summary>
public sealed partial class GetOutlookQrGuardReportCommand
{
    private const string TenantSet = "Tenant";
    private const string FleetSet = "Fleet";

    private readonly List<FleetTenantStatus> _fleetRows = new();

    /// <summary>Rows of Get-OutlookQrFleetStatus; the report is then the fleet page.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FleetSet)]
    [ValidateNotNull]
    public FleetTenantStatus[]? FleetRow { get; set; }

    private void CollectFleetRows() => _fleetRows.AddRange(FleetRow ?? System.Array.Empty<FleetTenantStatus>());

    protected override void EndProcessing()
    {
        if (ParameterSetName != FleetSet) return;
        string? path = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
        if (path is not null && !ShouldProcess(path, $"Write the {Format} fleet report")) return;
        var request = new FleetReportRequest
        {
            rows = _fleetRows.Select(r => r.ToRow()).ToList(),
            format = Format,
            path = path,
            overwrite = Force,
        };
        try
        {
            using var resultWire = CallFleetReport(request);
            var result = resultWire.Unwire();
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.FleetReportVerbose, result.tenants, result.tenants_at_risk));
            if (result.path is not null) WriteObject(new FileInfo(result.path));
            else WriteObject(result.text);
        }
        catch (OutlookQrGuardException e)
        {
            ThrowNativeError(e, path);
        }
    }

    private static WireOfFleetReportResult CallFleetReport(FleetReportRequest request)
    {
        try
        {
            return NativeEngine.Instance.BuildFleetReport(request.Wire());
        }
        catch (EnumException<Error> e)
        {
            throw NativeErrorMapper.FromNative(e.Value);
        }
    }
}
