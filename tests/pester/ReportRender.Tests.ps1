# Get-OutlookQrGuardReport's HTML page as a browser renders it: headless Chromium (Debian's
# `chromium`, installed by tools/bootstrap.sh) loads the file, dumps the DOM and takes a screenshot.
# The marks of each chart are counted against the emulator's seeded data (its control API), never
# against the report's own JSON. Without chromium every test is skipped, saying why.
BeforeAll {
    Import-Module $env:OQG_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestTenant.psm1') -Force
    # OQG_CHROMIUM: another Chromium build to use (a path or a command name).
    $script:Chromium = @($env:OQG_CHROMIUM, 'chromium', 'chromium-browser') |
        Where-Object { $_ } | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } |
        Select-Object -First 1 -ExpandProperty Source
    $script:NoChromium = 'chromium is not installed (Debian: apt-get install chromium; tools/bootstrap.sh does it when run as root)'
    # Kept after the run: the page and its screenshot, for a human to look at.
    $script:OutDir = Join-Path $PSScriptRoot '../../TestResults/ReportRender'
    $null = New-Item -ItemType Directory -Force $OutDir
    $script:OutDir = (Resolve-Path $OutDir).Path

    $script:Tenant = Start-TestTenant -Users 40 -Devices 120 -Seed 9
    $script:Session = Connect-TestTenant $Tenant
    Reset-TenantCaPolicy $Tenant
    # Known layer states: the prompt hidden, the Conditional Access block report-only.
    $null = Disable-OutlookQrSignin -Confirm:$false -WarningAction SilentlyContinue
    $null = Block-OutlookAuthenticationTransfer -Confirm:$false -WarningAction SilentlyContinue
    $script:Before = [datetime]::UtcNow
    $script:Page = Join-Path $OutDir 'report.html'
    $null = Get-OutlookQrGuardReport -Path $Page -Force -Culture 'de-DE'
    $script:Truth = @(Get-TenantTransferSignin $Tenant -Since $Before.AddDays(-30))
    $script:Devices = @(Get-TenantSeededDeviceList $Tenant -Model 'Outlook for iOS and Android')

    function script:ConvertTo-Utc($Value) {
        if ($Value -is [datetime]) { return $Value.Kind -eq 'Unspecified' ? [datetime]::SpecifyKind($Value, 'Utc') : $Value.ToUniversalTime() }
        [datetime]::Parse($Value, [cultureinfo]::InvariantCulture, [Globalization.DateTimeStyles]'AssumeUniversal, AdjustToUniversal')
    }
    # Runs headless Chromium on a file with its own throw-away profile (other runs may be going on);
    # returns its stdout and its stderr, where --enable-logging=stderr puts the page's console
    # messages as `...:INFO:CONSOLE:<line>] "<message>", source: <url> (<line>)` (every level is
    # logged as INFO in headless mode, so any CONSOLE line counts).
    function script:Invoke-Chromium([string] $File, [string[]] $Extra) {
        $profileDir = Join-Path ([IO.Path]::GetTempPath()) "oqg-chromium-$([guid]::NewGuid().ToString('N'))"
        $out = Join-Path $TestDrive "chromium-$([guid]::NewGuid().ToString('N')).out"
        $err = "$out.err"
        $arguments = @('--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-logging=stderr', '--v=0',
            "--user-data-dir=$profileDir") + $Extra + @([uri]::new((Resolve-Path -LiteralPath $File).Path).AbsoluteUri)
        try {
            $p = Start-Process -FilePath $Chromium -ArgumentList $arguments -RedirectStandardOutput $out -RedirectStandardError $err -PassThru -NoNewWindow
            if (-not $p.WaitForExit(120000)) { $p.Kill($true); throw "chromium did not finish in 120 s: $arguments" }
            [pscustomobject]@{
                ExitCode = $p.ExitCode
                Out      = (Get-Content -Raw $out) ?? ''
                Console  = @(Get-Content $err | Where-Object { $_ -match ':CONSOLE[:(]' })
            }
        }
        finally { Remove-Item -Recurse -Force $profileDir -ErrorAction SilentlyContinue }
    }
    # The markup of one <svg id="…"> of the dumped DOM.
    function script:Get-Chart([string] $Dom, [string] $Id) {
        $m = [regex]::Match($Dom, "<svg id=""$Id""[\s\S]*?</svg>")
        if (-not $m.Success) { throw "no <svg id=""$Id""> in the rendered page" }
        $m.Value
    }
    # The start tags of the chart's marks, each as a hashtable of its attributes.
    function script:Get-Mark([string] $Svg, [string] $Class) {
        foreach ($tag in [regex]::Matches($Svg, "<rect class=""$Class(?: [^""]*)?""[^>]*>")) {
            $attributes = @{}
            foreach ($a in [regex]::Matches($tag.Value, '([\w-]+)="([^"]*)"')) { $attributes[$a.Groups[1].Value] = [System.Net.WebUtility]::HtmlDecode($a.Groups[2].Value) }
            [pscustomobject]$attributes
        }
    }
    if ($Chromium) { $script:Rendered = Invoke-Chromium $Page @('--dump-dom') }
}

AfterAll {
    Disconnect-OutlookQrGuard -ErrorAction SilentlyContinue
    Stop-TestTenant $Tenant
}

Describe 'Get-OutlookQrGuardReport rendered in headless Chromium' {
    It 'renders with no console message at all: no script, nothing refused by its Content-Security-Policy' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $Rendered.ExitCode | Should -Be 0
        $Rendered.Out | Should -Match '<h1>Outlook QR-code sign-in audit'
        $Rendered.Console -join "`n" | Should -BeNullOrEmpty
        $Rendered.Out | Should -Not -Match '<script'
    }

    It 'draws the three layers, each state in words: prompt hidden, OWA switch on (semi-documented), Conditional Access report-only' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $svg = Get-Chart $Rendered.Out 'chart-layers'
        $boxes = @(Get-Mark $svg 'layer')
        $boxes.Count | Should -Be 3
        $boxes.'data-state' | Should -Be @('Hidden', 'On', 'Report-only (not blocking)')
        $boxes.class | Should -Be @('layer closed', 'layer open', 'layer open')
        $svg | Should -Match 'semi-documented'
        $svg | Should -Match 'role="img"'
    }

    It 'draws one bar per UTC day of the 30-day window, each as tall as the log''s transfer sign-ins that day' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $bars = @(Get-Mark (Get-Chart $Rendered.Out 'chart-signins-per-day') 'bar')
        # Every date from the window's first (30 days before the report) to the report's day.
        $first = $Before.AddDays(-30).Date
        $want = [ordered]@{}
        for ($d = $first; $d -le $Before.Date; $d = $d.AddDays(1)) { $want[$d.ToString('yyyy-MM-dd')] = 0 }
        foreach ($e in $Truth) { $want[(ConvertTo-Utc $e.createdDateTime).ToString('yyyy-MM-dd')]++ }
        $bars.Count | Should -Be $want.Count
        $Truth.Count | Should -BeGreaterThan 5
        $got = [ordered]@{}
        foreach ($b in $bars) { $got[$b.'data-date'] = [int]$b.'data-value' }
        ($got.Keys -join ',') | Should -Be ($want.Keys -join ',')
        ($got.Values -join ',') | Should -Be ($want.Values -join ',')
        @($bars | Where-Object { [int]$_.'data-value' -eq 0 -and [double]$_.height -ne 0 }).Count | Should -Be 0
    }

    It 'draws one bar per operating system family of the seeded Outlook devices, with their counts' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $bars = @(Get-Mark (Get-Chart $Rendered.Out 'chart-devices-by-os') 'bar')
        $want = $Devices | Group-Object { $os = "$($_.DeviceOS)".Trim(); $os ? ($os -split '\s+')[0] : '(unknown)' }
        $bars.Count | Should -Be @($want).Count
        $got = @{}
        foreach ($b in $bars) { $got[$b.'data-name'] = [int]$b.'data-value' }
        foreach ($g in $want) { $got[$g.Name] | Should -Be $g.Count -Because $g.Name }
        # The device total reads with de-DE's separator wherever it is shown.
        $Rendered.Out | Should -Match ([regex]::Escape('<b>' + $Devices.Count.ToString('N0', [cultureinfo]'de-DE') + '</b>Outlook mobile devices'))
        $Rendered.Out | Should -Match 'data-culture="de-DE"'
    }

    It 'the page''s Content-Security-Policy stops a script planted in it, and Chromium says so' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $planted = Join-Path $TestDrive 'planted.html'
        $html = (Get-Content -Raw $Page) -replace '(<body[^>]*>)', '$1<script>document.title="script ran"</script>'
        Set-Content -Path $planted -Value $html -NoNewline
        $r = Invoke-Chromium $planted @('--dump-dom')
        $r.Out | Should -Match '<title>Outlook QR sign-in audit: '
        $r.Out | Should -Not -Match '<title>script ran</title>'
        $r.Console -join "`n" | Should -Match 'Content Security Policy'
    }

    It 'printed, the folded rows unfold: as many pages as with every folded table open, more than without those rows' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $html = Get-Content -Raw $Page
        $html | Should -Match '<details class="more">'
        # Pages of the PDF Chromium prints (its writer emits one uncompressed /Type /Page per page).
        function Get-PrintedPage([string] $Html, [string] $Name) {
            $file = Join-Path $TestDrive "$Name.html"
            $pdf = Join-Path $TestDrive "$Name.pdf"
            Set-Content -Path $file -Value $Html -NoNewline
            $r = Invoke-Chromium $file @("--print-to-pdf=$pdf", '--no-pdf-header-footer')
            $r.Console -join "`n" | Should -BeNullOrEmpty
            [regex]::Matches([IO.File]::ReadAllText($pdf, [Text.Encoding]::Latin1), '/Type\s*/Page(?![s\w])').Count
        }
        $printed = Get-PrintedPage $html 'printed'
        $open = Get-PrintedPage ($html -replace '<details class="more">', '<details class="more" open>') 'open'
        $without = Get-PrintedPage ([regex]::Replace($html, '<details class="more">[\s\S]*?</details>', '')) 'without'
        $printed | Should -Be $open
        $printed | Should -BeGreaterThan $without
    }

    It 'keeps a screenshot of the page under TestResults/ReportRender' {
        if (-not $Chromium) { Set-ItResult -Skipped -Because $NoChromium; return }
        $png = Join-Path $OutDir 'report.png'
        Remove-Item $png -ErrorAction SilentlyContinue
        $r = Invoke-Chromium $Page @("--screenshot=$png", '--window-size=1280,2000', '--hide-scrollbars')
        $r.Console -join "`n" | Should -BeNullOrEmpty
        Test-Path $png | Should -BeTrue
        $bytes = [IO.File]::ReadAllBytes($png)
        $bytes[0..3] | Should -Be @(0x89, 0x50, 0x4E, 0x47)
        $bytes.Length | Should -BeGreaterThan 20000
        Write-Host "Report screenshot: $png"
    }

    It 'refuses a culture that does not exist, naming -Culture (no browser needed)' {
        $e = try { Get-OutlookQrGuardReport -Culture 'no such culture!' ; $null } catch { $_ }
        $e | Should -Not -BeNullOrEmpty
        $e.Exception.Message | Should -Match "parameter 'Culture'"
        $e.Exception.Message | Should -Match 'no such culture!'
    }
}
