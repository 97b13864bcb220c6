@{
    Synopsis    = '認証転送 (Outlook の QR コード) によって行われた Entra ID のサインインを、誰が、いつ、どの端末で、どこから行ったかとともに一覧表示します。'
    Description = @'
Get-OutlookQrSigninEvidence は Entra ID のサインイン ログ (Microsoft Graph の beta auditLogs/signIns) を読み取り、originalTransferMethod が authenticationTransfer のイベントを返します。つまり、スマートフォンが QR コードを読み取ったときに始まったセッションと、そのセッションのその後のサインインすべてです。手動の手順ではほかの Outlook モバイル端末と区別できない端末が、これで分かります。

既定では過去 30 日間 (Entra ID P1 または P2 のサインイン ログの保持期間) の、対話型と非対話型のサインイン (読み取りそのものと、そのあとのアプリのトークン更新) が対象です。-Since、-Until、-UserPrincipalName、-InteractiveOnly で絞り込めます。イベントはログのページが届くたびに新しい順にパイプラインへ流れるので、Select-Object -First を使うと読み取りを早めに止められます。

サービスが originalTransferMethod によるフィルターを受け付ける場合は、サービス側で絞り込みます。拒否された場合は、サーバー側では期間と Outlook モバイル アプリだけで絞り込み、残りをこのコンピューターで絞り込みます (-Verbose でその旨を表示します)。結果は同じですが、読み取るページが増えます。サインイン ログは Graph のほかの部分より厳しく調整 (スロットリング) されます。このコマンドレットはサービスが求める時間 (Retry-After) だけ待ってから続行します。

各イベントには Time (UTC)、UserPrincipalName、UserId、UserDisplayName、App、AppId、ClientAppUsed、EventType (interactiveUser または nonInteractiveUser)、DeviceOS、DeviceName、Browser、DeviceId、IPAddress、City、State、Country、Location、Result (Success または Failure)、ErrorCode、FailureReason、ConditionalAccessStatus、TransferMethod、CorrelationId、Id があります。Revoke-OutlookMobileSignin にパイプすると、それらのユーザーを切断できます。イベントがいくつあっても、各ユーザーの取り消しは 1 回です。

アクセス許可: AuditLog.Read.All (アプリケーション。テナントによっては Directory.Read.All も必要)。サインイン ログには Microsoft Entra ID P1 または P2 が必要で、ない場合はサービスが拒否し、エラーで不足しているライセンスを示します。Get-OutlookMobileDevice と Revoke-OutlookMobileSignin はライセンスがなくても使えます。
'@
    Parameters  = @{
        Since             = '期間の開始日時。既定は 30 日前です。タイム ゾーンのない日時はローカル時刻として扱います。'
        Until             = '期間の終了日時。既定は現在です。-Since より後の日時を指定してください。'
        UserPrincipalName = 'このユーザー (ユーザー プリンシパル名または Entra オブジェクト ID) のサインインだけを返します。'
        InteractiveOnly   = '対話型のサインイン (QR コードを使った時点) だけを返し、そのあとアプリが行う非対話型のサインインは返しません。'
        Session           = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = '過去 30 日間に QR コードを使ったユーザー'
            Code    = 'Get-OutlookQrSigninEvidence -InteractiveOnly | Group-Object UserPrincipalName | Sort-Object Count -Descending | Select-Object Count, Name'
            Remarks = 'ユーザーごとに 1 行で、QR コードでスマートフォンをサインインさせた回数を表示します。'
        }
        @{
            Title   = '今週 QR コードでサインインしたユーザー全員のセッションを取り消す'
            Code    = 'Get-OutlookQrSigninEvidence -Since (Get-Date).AddDays(-7) | Revoke-OutlookMobileSignin -WhatIf'
            Remarks = 'ユーザーごとに (イベントごとではなく) 1 行の "Revoke all sign-in sessions" を表示します。-WhatIf を外すと取り消します。取り消されたユーザーの Outlook アプリは、Entra ID であらためてサインインする必要があります。'
        }
        @{
            Title   = '1 人のユーザーの端末と、サインインした場所'
            Code    = 'Get-OutlookQrSigninEvidence -UserPrincipalName isaiah.langer@contoso.com | Format-Table Time, DeviceOS, DeviceName, IPAddress, Location, Result'
            Remarks = 'そのユーザーの過去 30 日間の認証転送によるサインインをすべて表示します。'
        }
    )
    Links       = @('Revoke-OutlookMobileSignin', 'Export-OutlookMobileDevice', 'Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin')
}
