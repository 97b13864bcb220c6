<#
.SYNOPSIS
    A stand-in for the system browser in the interactive sign-in tests: what a person does on the
    emulator's sign-in page, over plain HTTP. Connect-OutlookQrGuard starts it through $BROWSER
    (via fake-browser.sh) with the authorize URL.
.DESCRIPTION
    OQG_FAKE_BROWSER_ACTION  SignIn (default) | Cancel | TamperState
    OQG_FAKE_BROWSER_LOGIN / OQG_FAKE_BROWSER_PASSWORD  what is typed
    OQG_FAKE_BROWSER_OUT     file that receives the last page the "browser" showed
#>
param([Parameter(Mandatory)] [string] $Url)
$ErrorActionPreference = 'Stop'
$out = $env:OQG_FAKE_BROWSER_OUT
try {
    $action = if ($env:OQG_FAKE_BROWSER_ACTION) { $env:OQG_FAKE_BROWSER_ACTION } else { 'SignIn' }
    $web = New-Object Microsoft.PowerShell.Commands.WebRequestSession
    # The emulator's CA is the test's own; the module checks it, this browser need not.
    $page = Invoke-WebRequest -Uri $Url -WebSession $web -SkipCertificateCheck -MaximumRedirection 0
    $flow = [regex]::Match($page.Content, 'name="flow" value="([^"]+)"').Groups[1].Value
    $formAction = [regex]::Match($page.Content, '<form method="POST" action="([^"]+)"').Groups[1].Value
    $origin = ([Uri]$Url).GetLeftPart([UriPartial]::Authority)
    $fields = @{
        flow   = $flow
        login  = "$env:OQG_FAKE_BROWSER_LOGIN"
        passwd = "$env:OQG_FAKE_BROWSER_PASSWORD"
        action = if ($action -eq 'Cancel') { 'cancel' } else { 'signin' }
    }
    $answer = Invoke-WebRequest -Uri "$origin$formAction" -Method POST -Body $fields -WebSession $web `
        -SkipCertificateCheck -MaximumRedirection 0 -SkipHttpErrorCheck
    if ($answer.Content -notmatch 'name="hiddenform"') {
        Set-Content -LiteralPath $out -Value $answer.Content
        return
    }
    # response_mode=form_post: post the hidden fields to the module's loopback listener.
    $target = [regex]::Match($answer.Content, 'action="([^"]+)"').Groups[1].Value
    $posted = @{}
    foreach ($m in [regex]::Matches($answer.Content, '<input type="hidden" name="([^"]+)" value="([^"]*)"')) {
        $posted[$m.Groups[1].Value] = [System.Net.WebUtility]::HtmlDecode($m.Groups[2].Value)
    }
    if ($action -eq 'TamperState') { $posted['state'] = "$($posted['state'])x" }
    $final = Invoke-WebRequest -Uri $target -Method POST -Body $posted -SkipHttpErrorCheck
    Set-Content -LiteralPath $out -Value $final.Content
}
catch {
    Set-Content -LiteralPath $out -Value "FAKE BROWSER ERROR: $_"
}
