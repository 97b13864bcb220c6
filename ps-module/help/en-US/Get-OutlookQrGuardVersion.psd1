@{
    Synopsis    = 'Shows the versions of the OutlookQrGuard module and of its native engine.'
    Description = @'
Get-OutlookQrGuardVersion returns the module version from the manifest, the version of the cmdlet assembly, and the version, target platform and build profile of the native engine that does the module's work.

All three versions come from one source and must agree; a difference means the module folder mixes files from different builds. Reinstall the module in that case.
'@
    Parameters  = @{}
    Notes       = 'Needs no connection and makes no network request. Include its output when you report a problem.'
    Links       = @('Connect-OutlookQrGuard')
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Show the versions'
            Code    = 'Get-OutlookQrGuardVersion'
            Remarks = 'Shows the module and engine versions, the platform the engine was built for, and whether it is a release build.'
        }
        @{
            Title   = 'Check that the module folder is consistent'
            Code    = '$v = Get-OutlookQrGuardVersion; $v.ModuleVersion -eq $v.EngineVersion'
            Remarks = 'Returns True when the manifest and the native engine come from the same build.'
        }
    )
}
