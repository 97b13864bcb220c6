@{
    Synopsis    = 'Outlook on the web がユーザーに「Get Outlook mobile」の QR コード サインインを案内しているかどうかを確認します。'
    Description = @'
Test-OutlookQrSignin は Exchange Online の組織構成を読み取り、Outlook on the web がユーザーに「Get Outlook mobile」/「Always connected to Outlook」のプロンプトを表示するかどうかを報告します。このプロンプトから表示される QR コードを読み取ると、スマートフォン側でサインインしないまま Outlook アプリがサインイン済みになります。対応する設定は MobileAppEducationEnabled (Get-OrganizationConfig) です。

結果には、組織名、MobileAppEducationEnabled、組織のそのほかの MobileApp* と OutlookMobile* の設定すべて、PromptEnabled、判定 (Verdict)、その理由 (Reason) が含まれます。Verdict は次のいずれかです。

- Exposed: プロンプトが表示されます (MobileAppEducationEnabled が True)。Disable-OutlookQrSignin を実行してください。

- PromptHidden: プロンプトは非表示です (False)。以前に接続した端末は接続されたままなので、Get-OutlookMobileDevice で確認してください。

- Unknown: テナントが MobileAppEducationEnabled を返しませんでした。

-Quiet を指定すると $true (プロンプトが表示される) または $false (非表示、または Unknown) だけを返します。if 文や監視用の Runbook で使えます。

読み取りだけを行い、何も変更しません。すでに接続している端末は調べません。また、Entra ID の条件付きアクセスで認証転送がブロックされているかどうかも分かりません。プロンプトを非表示にするのは対策の一部であり、それだけで十分ではありません。
'@
    Parameters  = @{
        Quiet   = '結果オブジェクトの代わりに、プロンプトが表示される場合は $true、それ以外 (テナントが設定を返さなかった場合を含む) は $false だけを返します。'
        Session = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (最後に接続したセッション) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'テナントを確認する'
            Code    = 'Test-OutlookQrSignin'
            Remarks = '組織名、MobileAppEducationEnabled、Verdict、Reason を表示します。プロンプトを表示しているテナントでは Verdict : Exposed になります。'
        }
        @{
            Title   = 'スクリプトで結果を使う'
            Code    = @'
if (Test-OutlookQrSignin -Quiet) {
    Write-Warning 'Outlook on the web still offers the QR-code sign-in.'
}
'@
            Remarks = 'プロンプトが表示される場合にだけ警告を出します。'
        }
        @{
            Title   = '組織の Outlook モバイル関連の設定をすべて表示する'
            Code    = 'Test-OutlookQrSignin | Format-List *'
            Remarks = '既定の表示は 4 つのプロパティだけです。Format-List * で MobileApp* と OutlookMobile* の設定もすべて表示されます。'
        }
    )
    Links       = @('Disable-OutlookQrSignin', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Connect-OutlookQrGuard', 'Get-OutlookQrGuardReport')
}
