@{
    Synopsis    = 'Signs in to a Microsoft 365 tenant (Exchange Online and Microsoft Graph) for the other OutlookQrGuard cmdlets.'
    Description = @'
Connect-OutlookQrGuard signs in to Entra ID for the tenant named by -Organization and returns a session object. The new session becomes the current one: the other OutlookQrGuard cmdlets use it unless you pass -Session. Connecting again makes the new session current; an earlier session stays usable through -Session until you disconnect it.

Choose one way to sign in (each is a parameter set):

- Browser (-Interactive, -AppId; the default when no credential parameter is given at an interactive prompt): delegated. Your system browser opens on the Entra ID sign-in page and you sign in with your own admin account, so MFA and Conditional Access apply to you. It uses the authorization code flow with PKCE and a one-time listener on http://localhost, so it works in tenants that block the device code flow. When no browser can be opened (an SSH session), the sign-in address is printed: open it in a browser on the same computer. -AppId is your tenant's own public-client app registration with the redirect URI http://localhost (see NOTES). In runbooks and pwsh -NonInteractive the browser is used only when -Interactive is given.

- Client secret (-AppId, -ClientSecret): app-only, as the app registration. Simple to set up; prefer a certificate or a managed identity in production.

- Certificate (-AppId with -CertificateFilePath, -Certificate or -CertificateThumbprint): app-only. -CertificateFilePath takes a PFX file; -CertificateThumbprint looks in Cert:\CurrentUser\My, then Cert:\LocalMachine\My. With -Certificate and -CertificateThumbprint the private key stays where it is: PowerShell signs each client assertion with it (also when a token is renewed later), so keys that cannot be exported work, including smart-card and HSM-backed keys; only the public certificate and the signatures reach the engine. With -CertificateFilePath the engine reads the PFX and signs itself.

- Managed identity (-ManagedIdentity, optionally -ManagedIdentityAccountId): app-only, for Azure Automation runbooks (and App Service or Functions). The token comes from the endpoint the host announces in IDENTITY_ENDPOINT and IDENTITY_HEADER, so there is no secret to store or rotate. The Azure VM metadata endpoint (IMDS) is not used.

- Device code (-Device, -AppId): delegated. You open a web page, enter the code shown, and sign in with your own admin account, so MFA and Conditional Access apply to you. It needs a person at the prompt: it is refused in runbooks, scheduled jobs and pwsh -NonInteractive.

- Access tokens (-AccessToken, -GraphAccessToken): tokens obtained elsewhere. They cannot be refreshed, so the session stops working when they expire.

Connect-OutlookQrGuard proves the sign-in by reading the Exchange Online organization configuration. A wrong secret, an unregistered certificate, a missing permission or a missing Exchange role therefore fails here, with a message that says what to fix, rather than halfway through an export. Microsoft Graph is used only by Revoke-OutlookMobileSignin; its token is requested there, so a missing Graph permission shows up on the first revocation.

-Organization takes the tenant ID or any of the tenant's domains (contoso.onmicrosoft.com, or a custom domain such as contoso.com). Whatever you pass, Exchange Online calls address the tenant ID read from the sign-in token: with a custom domain in those calls, listings longer than one page fail with "Expired or Invalid pagination request".

Tokens are kept in memory for this PowerShell process only; nothing is written to disk. Secrets (client secret, certificate password, tokens) never appear in verbose, debug or error output.
'@
    Parameters  = @{
        InputObject = 'A tenant row from the pipeline, typically Import-Csv tenants.csv: Organization (or TenantId), AppId, and exactly one of CertificateThumbprint, CertificatePath (the PFX password comes from -CertificatePassword, the same for every row) or ManagedIdentity (True/False, Yes/No, 1/0 or empty; with ManagedIdentity, AppId names a user-assigned identity). One session is output per row. A row that cannot connect is reported as a non-terminating error naming its tenant, and the other rows carry on; collect them with -ErrorVariable. The Organization column binds to -TenantId by property name; the other columns are read from the row by name, because a CSV row carries every column (empty ones too) and PowerShell cannot bind those to one parameter set.'
        TenantId                   = 'The tenant: its tenant ID (a GUID) or one of its domains (contoso.onmicrosoft.com or a custom domain), for every sign-in method. Aliases: -Organization, -Tenant.'
        AppId                      = 'The application (client) ID of the app registration to sign in as (secret and certificate), or of the public-client app used for -Interactive and -Device. Not used with -ManagedIdentity or -AccessToken.'
        ClientSecret               = 'The client secret''s Value (not its Secret ID) from the app registration''s Certificates & secrets page, as a SecureString, for example from Read-Host -AsSecureString or Get-Secret.'
        CertificateFilePath        = 'Path to a PFX (PKCS#12) file that holds the app''s certificate and its RSA private key. The certificate''s public part must be uploaded to the app registration.'
        CertificatePassword        = 'The password of the PFX file given with -CertificateFilePath, as a SecureString. Omit it for a PFX without a password.'
        Certificate                = 'An X509Certificate2 object with an RSA private key, for example from Get-Item Cert:\CurrentUser\My\<thumbprint>. The key does not need to be exportable (smart-card and HSM keys work): the assertion is signed with it in place, also for renewed tokens later in the session.'
        CertificateThumbprint      = 'The SHA-1 thumbprint of a certificate in Cert:\CurrentUser\My or Cert:\LocalMachine\My (spaces are ignored). The certificate needs an RSA private key; it does not need to be exportable, because the assertion is signed with the key in place.'
        ManagedIdentity            = 'Signs in as the managed identity of the Azure Automation account (or App Service / Function) running this code. Use it in runbooks; there is no secret to manage.'
        ManagedIdentityAccountId   = 'The client ID of a user-assigned managed identity. Omit it to use the system-assigned identity.'
        Interactive                = 'Signs in in the system browser with your own account (authorization code flow with PKCE, answered on http://localhost). It is the default when no other sign-in parameter is given at an interactive prompt; give it explicitly to use the browser from a non-interactive host. Errors name their cause: cancelled in the browser, admin consent missing (AADSTS65001), blocked by Conditional Access (AADSTS53003), an account of another tenant (AADSTS50020), or the time running out.'
        TimeoutSeconds             = 'How long -Interactive waits for the browser sign-in to complete, in seconds (10 to 3600; default 300).'
        Device                     = 'Signs in with the device code flow: the cmdlet shows a web address and a code, and waits until you complete the sign-in in a browser. Interactive sessions only.'
        AccessToken                = 'An Exchange Online access token (audience https://outlook.office365.com in the Global cloud) that you obtained elsewhere, as a SecureString. Needed to connect, because the connection is checked against Exchange. It cannot be refreshed.'
        GraphAccessToken           = 'A Microsoft Graph access token, as a SecureString, for Revoke-OutlookMobileSignin in a session opened with -AccessToken. It cannot be refreshed.'
        Environment                = 'The Microsoft cloud: Global (the default), USGovGCCHigh, USGovDoD or China. It selects the sign-in, Exchange Online and Graph endpoints.'
        UseRS256                   = 'Signs the certificate client assertion with RS256 and an x5t (SHA-1) header instead of the default PS256 with x5t#S256. Use it only if your environment rejects the default.'
        UserPrincipalName          = 'For delegated sessions (-Interactive, -Device, -AccessToken): the signed-in admin''s user principal name, which Exchange Online uses to route requests; with -Interactive it only pre-fills the account on the sign-in page, and the account you actually sign in with is used. By default it is read from the sign-in. Ignored for app-only sessions.'
        AuthorityUri               = 'Replaces the Entra ID sign-in endpoint (by default taken from -Environment). It must be a host of that cloud (login.microsoftonline.com for Global) or a loopback address such as a local test tenant emulator; any other host needs -AllowCustomEndpoint. Another cloud''s sign-in host (login.microsoftonline.us with Global) is always refused: tokens of one cloud are not accepted in another, so choose the cloud with -Environment. Leave it out against Microsoft 365.'
        ExchangeUri                = 'Replaces the Exchange Online endpoint (by default taken from -Environment); the Exchange token sent there is always the -Environment cloud''s. It must be that cloud''s Exchange host (outlook.office365.com for Global) or loopback; any other host needs -AllowCustomEndpoint, and another cloud''s Exchange host is always refused. For test tenant emulators; leave it out against Microsoft 365.'
        GraphUri                   = 'Replaces the Microsoft Graph endpoint (by default taken from -Environment); the Graph token sent there is always the -Environment cloud''s. It must be that cloud''s Graph host (graph.microsoft.com for Global) or loopback; any other host needs -AllowCustomEndpoint, and another cloud''s Graph host is always refused. For test tenant emulators; leave it out against Microsoft 365.'
        AllowCustomEndpoint        = 'Lets -AuthorityUri, -ExchangeUri and -GraphUri name hosts that are neither the cloud''s own nor loopback, for example a reverse proxy you run. Your sign-in secret and the tokens are then sent to those hosts, so Connect-OutlookQrGuard warns once, naming them. Another cloud''s hosts stay refused even with this switch.'
        TrustedRootCertificatePath = 'Path to a PEM file with an extra root certificate to trust for HTTPS, in addition to the system''s trusted roots. Use it for a test emulator''s CA or a TLS-inspecting proxy whose CA is not installed system-wide.'
        AllowInsecureLoopback      = 'Allows plain HTTP to 127.0.0.1 / localhost only (a local emulator started with --http). HTTP to any other host is always refused.'
        Proxy                      = 'The URI of an HTTP proxy to use, for example http://proxy.contoso.com:8080. By default the system proxy settings apply. Credentials written into the URI (http://user:password@proxy:8080) are taken out of it and sent as Basic proxy authentication; messages and logs show the URI without them. Prefer -ProxyCredential.'
        ProxyCredential            = 'The user name and password for the proxy given with -Proxy (Basic authentication), for example (Get-Credential). They win over credentials written into the -Proxy URI, and never appear in messages, logs or errors. Windows integrated (NTLM/Kerberos) proxy authentication is not supported.'
    }
    Inputs      = @('System.Management.Automation.PSObject: tenant rows (Organization, AppId, CertificateThumbprint / CertificatePath / ManagedIdentity), for example from Import-Csv.')
    Examples    = @(
        @{
            Title   = 'Connect with a client secret'
            Code    = @'
$secret = Read-Host -Prompt 'Client secret' -AsSecureString
Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -ClientSecret $secret
'@
            Remarks = 'Signs in app-only as the app registration and makes the session current. The app needs Exchange.ManageAsApp and the Exchange Administrator role (see NOTES).'
        }
        @{
            Title   = 'Connect to the local tenant emulator (the demo)'
            Code    = @'
# tenant-emulator --ready-file ./emulator.json   (run in another window)
$ready  = Get-Content ./emulator.json -Raw | ConvertFrom-Json
$app    = $ready.credentials.secretApp
$secret = ConvertTo-SecureString $app.clientSecret -AsPlainText -Force
Connect-OutlookQrGuard -Organization $ready.credentials.tenantDomain -AppId $app.clientId -ClientSecret $secret `
    -AuthorityUri $ready.baseUrl -ExchangeUri $ready.baseUrl -GraphUri $ready.baseUrl `
    -TrustedRootCertificatePath $ready.caCertificatePath
'@
            Remarks = 'Points the module at the emulator, which serves sign-in, Exchange and Graph from one base URL with its own CA. The session''s Environment reads Global (custom endpoints): the tokens are Global ones, the hosts are the emulator''s (loopback, so no -AllowCustomEndpoint is needed). Every other example in this module''s help then works against it.'
        }
        @{
            Title   = 'Connect with a certificate in a PFX file'
            Code    = @'
$password = Read-Host -Prompt 'PFX password' -AsSecureString
Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -CertificateFilePath ./OutlookQrGuard.pfx -CertificatePassword $password
'@
            Remarks = 'App-only with a certificate. Upload the certificate''s public part (.cer) to the app registration first.'
        }
        @{
            Title   = 'Connect from a certificate in the Windows certificate store'
            Code    = 'Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -CertificateThumbprint 2316E13BED8B833F0F94D8892487934D9B06E01A'
            Remarks = 'Looks the certificate up in Cert:\CurrentUser\My, then Cert:\LocalMachine\My. Its private key can be non-exportable (as New-SelfSignedCertificate -KeyExportPolicy NonExportable makes it, or on a smart card): it signs in place.'
        }
        @{
            Title   = 'Connect in an Azure Automation runbook with the managed identity'
            Code    = @'
Connect-OutlookQrGuard -ManagedIdentity -Organization contoso.onmicrosoft.com
Test-OutlookQrSignin
'@
            Remarks = 'Uses the Automation account''s system-assigned identity. Add -ManagedIdentityAccountId <client id> for a user-assigned identity. Grant the identity Exchange.ManageAsApp and the Exchange Administrator role (and User.RevokeSessions.All to revoke) beforehand.'
        }
        @{
            Title   = 'Sign in in the browser with your own admin account'
            Code    = 'Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 0b7c5d3a-2f41-4e9b-8c6d-1a2b3c4d5e6f -UserPrincipalName admin@contoso.com'
            Remarks = 'Opens the browser on the sign-in page with the account pre-filled; the cmdlet returns when you have signed in (or after -TimeoutSeconds). -AppId is your tenant''s own public-client app with the redirect URI http://localhost. Add -Interactive to do the same from pwsh -NonInteractive.'
        }
        @{
            Title   = 'Connect with a device code'
            Code    = 'Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 0b7c5d3a-2f41-4e9b-8c6d-1a2b3c4d5e6f -Device'
            Remarks = 'Shows a web address and a code. Open the address in any browser, enter the code and sign in; the cmdlet returns when the sign-in is complete. -AppId is your tenant''s own public-client app registration.'
        }
        @{
            Title   = 'Work with two tenants'
            Code    = @'
$contoso  = Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -ManagedIdentity
$fabrikam = Connect-OutlookQrGuard -Organization fabrikam.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -CertificateThumbprint 2316E13BED8B833F0F94D8892487934D9B06E01A
Test-OutlookQrSignin -Session $contoso
Test-OutlookQrSignin -Session $fabrikam
'@
            Remarks = 'Each cmdlet takes -Session; without it, the most recent connection (here fabrikam) is used.'
        }
    )
    Notes       = @'
Permissions. App-only sign-ins (client secret, certificate, managed identity) need the Exchange.ManageAsApp application permission of Office 365 Exchange Online with admin consent, and the Exchange Administrator role assigned to the app's (or identity's) service principal in Entra ID. To revoke sessions they also need the Microsoft Graph application permission User.RevokeSessions.All with admin consent. For a managed identity, grant both with New-MgServicePrincipalAppRoleAssignment and assign the role in Entra ID; the managed identity endpoint caches tokens, so permission changes can take up to about 24 hours to take effect.

Delegated sign-ins (-Interactive, -Device) need a public-client app registration with the redirect URI http://localhost (mobile and desktop platform; "Allow public client flows" too for -Device) and the delegated permissions Exchange.Manage (Office 365 Exchange Online) and User.RevokeSessions.All (Microsoft Graph), plus User.Read.All, Policy.Read.All, Policy.ReadWrite.ConditionalAccess, AuditLog.Read.All and Group.Read.All for the Entra ID half, consented by an admin (README.md shows the Microsoft Graph PowerShell lines). The signed-in person needs the Exchange Administrator role and, to revoke, a role such as User Administrator.

The session is not saved: run Connect-OutlookQrGuard in every new PowerShell process or runbook job. Disconnect-OutlookQrGuard drops the tokens.
'@
    Links       = @('Disconnect-OutlookQrGuard', 'Test-OutlookQrSignin', 'Get-OutlookQrGuardVersion')
}
