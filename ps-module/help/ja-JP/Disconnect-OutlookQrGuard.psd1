@{
    Synopsis    = 'OutlookQrGuard のセッションを終了し、そのトークンを破棄します。'
    Description = @'
Disconnect-OutlookQrGuard は、Connect-OutlookQrGuard で開いたセッションを破棄します。アクセス トークンはメモリから削除され、セッション オブジェクトの IsConnected は False になります。-Session を指定しない場合は現在のセッション (最後に接続したセッション) を終了します。終了後は、ほかのセッションが開いていても現在のセッションはなくなるため、それらは -Session で指定してください。

Entra ID からのサインアウトやトークンの取り消しは行いません。発行済みのトークンは有効期限まで有効ですが、この PowerShell プロセスはもう保持していません。テナントの設定も一切変更しません。

終了するセッションがない場合は何もせず、エラーも出しません。そのため、スクリプトや Runbook の最後に常に実行して問題ありません。
'@
    Parameters  = @{
        Session = '終了するセッション (Connect-OutlookQrGuard が返したもの)。パイプラインからも受け取れます。既定では現在のセッションを終了します。'
    }
    Inputs      = @('OutlookQrGuard.Model.OutlookQrGuardSession')
    Examples    = @(
        @{
            Title   = '現在のセッションを終了する'
            Code    = 'Disconnect-OutlookQrGuard'
            Remarks = 'もう一度 Connect-OutlookQrGuard を実行するまで、OutlookQrGuard のコマンドレットは「接続されていません」と報告します。'
        }
        @{
            Title   = 'Runbook の最後で必ず切断する'
            Code    = @'
Connect-OutlookQrGuard -ManagedIdentity -Organization contoso.onmicrosoft.com
try {
    Export-OutlookMobileDevice -Path (Join-Path ([IO.Path]::GetTempPath()) 'outlook-mobile.csv') -Force
}
finally {
    Disconnect-OutlookQrGuard
}
'@
            Remarks = 'エクスポートが失敗しても finally ブロックは実行されるので、トークンがジョブより長く残ることはありません。'
        }
        @{
            Title   = '複数のセッションのうち 1 つを終了する'
            Code    = @'
$fabrikam = Connect-OutlookQrGuard -Organization fabrikam.onmicrosoft.com -ManagedIdentity
$fabrikam | Disconnect-OutlookQrGuard -Verbose
$fabrikam.IsConnected
'@
            Remarks = 'そのセッションだけを終了し、False を表示します。-Verbose を付けると、終了したセッションが表示されます。'
        }
    )
    Links       = @('Connect-OutlookQrGuard')
}
