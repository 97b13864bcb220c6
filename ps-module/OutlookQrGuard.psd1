# The module manifest. ModuleVersion is stamped by build.ps1 from the workspace Cargo.toml
# (the one place the version lives); this source copy is not importable as it is.
@{
    RootModule           = 'OutlookQrGuard.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '6f2b0c1e-3a8d-4e55-9a3f-2c7d9b41e0a7'
    Author               = 'OutlookQrGuard contributors'
    CompanyName          = 'OutlookQrGuard contributors'
    Copyright            = '(c) OutlookQrGuard contributors. MIT License.'
    Description          = 'Finds and closes the Outlook "Get Outlook mobile" QR-code sign-in in Microsoft 365: checks and turns off the Outlook on the web prompt, exports the connected Outlook mobile devices to CSV, revokes their sign-in sessions, and blocks authentication transfer at Entra ID.'
    # net8.0 build: PowerShell 7.4 LTS or later (Azure Automation''s 7.4 runtime). Windows PowerShell 5.1 cannot load it.
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('OutlookQrGuard.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-OutlookQrGuard'
        'Disconnect-OutlookQrGuard'
        'Test-OutlookQrSignin'
        'Disable-OutlookQrSignin'
        'Enable-OutlookQrSignin'
        'Get-OutlookMobileDevice'
        'Export-OutlookMobileDevice'
        'Revoke-OutlookMobileSignin'
        'Block-OutlookAuthenticationTransfer'
        'Unblock-OutlookAuthenticationTransfer'
        'Get-OutlookQrSigninEvidence'
        'Get-OutlookQrBlockImpact'
        'Get-OutlookQrGuardReport'
        'Get-OutlookQrFleetStatus'
        'Get-OutlookQrGuardVersion'
        'Send-OutlookQrGuardLog'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'Outlook', 'OutlookMobile', 'QRCode', 'EntraID', 'ConditionalAccess', 'Security', 'Microsoft365', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/outlookqrguard/OutlookQrGuard'
            LicenseUri   = 'https://github.com/outlookqrguard/OutlookQrGuard/blob/main/LICENSE'
            ReleaseNotes = 'First release: Connect-OutlookQrGuard (certificate, client secret, managed identity, device code, access token; Global, GCC High, DoD, China), Test/Disable/Enable-OutlookQrSignin, Get/Export-OutlookMobileDevice (streaming, Export-Csv compatible, UTF-8 with BOM), Revoke-OutlookMobileSignin (Graph $batch), Get-OutlookQrGuardReport (HTML/JSON/CSV). English and Japanese messages and help. Conditional Access: Test-OutlookQrSignin checks both layers; Block-/Unblock-OutlookAuthenticationTransfer (report-only first, -Enforce, break-glass exclusions); Get-OutlookQrSigninEvidence (who signed in through the QR code, from the sign-in logs); Export-OutlookMobileDevice -IncludeSigninEvidence.'
        }
    }
}
