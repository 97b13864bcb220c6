@{
    Synopsis    = 'ユーザーのサインイン セッションを取り消し、Outlook モバイル アプリ (およびほかのすべてのアプリ) が Entra ID で再びサインインしなければならないようにします。'
    Description = @'
Revoke-OutlookMobileSignin は、ユーザーごとに Microsoft Graph の revokeSignInSessions を呼び出します。これにより、そのユーザーのすべての更新トークンとセッション Cookie が、Outlook モバイルに限らずすべての端末・すべてのアプリで無効になります。QR コードで接続した Outlook アプリはアクセスを更新できなくなり、Entra ID で再びサインインする必要があります。そのサインインには MFA、端末や場所の規則、条件付きアクセスが適用されます。

ユーザーは、ユーザー プリンシパル名 (UPN) またはオブジェクト ID で指定するか (-UserPrincipalName)、パイプラインで渡します。パイプラインには、Get-OutlookMobileDevice の端末、UPN やオブジェクト ID の文字列、または UserPrincipalName プロパティを持つ任意のオブジェクトを渡せます。端末は、そのメールボックスを所有するユーザーに (Exchange Online を通じて) 解決されます。端末や表記がいくつあっても、取り消しはユーザーごとに 1 回で、要求は Graph のバッチでまとめて送られます。

結果はユーザーごとに 1 つ返され、Input (指定した値)、UserPrincipalName、UserId、Status、Message を持ちます。Status は Revoked (取り消し済み)、NotFound (ユーザーが存在しない、端末のメールボックスがもう存在しない、または端末がメールボックスを示していない。端末に表示される名前で取り消すことはありません)、Forbidden (セッションにアクセス許可がない)、Invalid (UPN やオブジェクト ID として正しくない)、NotSupported (ゲスト アカウント。下記参照。何も送信していません)、Throttled (再試行のあとも Microsoft Graph が調整 (スロットリング) を続けた。時間をおいてそのユーザーについてもう一度実行する)、Failed (再試行してもサービスがエラーを返した)、Cancelled または Unknown (コマンドが停止された。下記参照) のいずれかです。失敗したユーザーについては、そのユーザーを示す終了しないエラーも出力されますが、ほかのユーザーの取り消しは続行されます。最初のエラーで止めるのではなく、結果や -ErrorVariable を確認してください。

このコマンドレットが行わないことと、想定される動作:

- 発行済みのアクセス トークンは取り消されません。有効期限 (通常は発行から 60 ～ 90 分) までは有効なので、アプリはおよそ 1 時間ほど同期を続けることがあります。継続的アクセス評価 (CAE) が適用される場合 (Exchange Online と Outlook モバイルは対応しています) は、Exchange がより早く、通常は 15 分以内に古いトークンを拒否します。

- ユーザーはブロックされません。Entra ID が許可すれば、同じ端末ですぐに再びサインインできます。QR フロー自体を止めるには、プロンプトを非表示にし (Disable-OutlookQrSignin)、条件付きアクセスで認証転送をブロックしてください。

- Exchange の端末パートナーシップは残り、端末からは何も消去されません。取り消し後も Get-OutlookMobileDevice には端末が表示されます。

- UPN に #EXT# を含むゲスト (B2B) ユーザーは取り消しません。Microsoft Graph は外部ユーザー (ホーム テナントでサインインするユーザー) のサインイン セッションを取り消さないためです。Status は NotSupported となり (終了しないエラーも出力されます)、そのユーザーのホーム テナントで取り消す必要があります。オブジェクト ID で指定したゲストは区別できないため、通常のユーザーと同じく送信されます。

コマンドの停止 (Ctrl+C): それ以上は送信せず、送信済みのバッチには応答まで最大 1 秒待ちます。そのうえで、すべてのユーザーに結果が付きます。Microsoft Graph が確認したユーザーは Revoked (切断済み)、何も送信していないユーザーは Cancelled (取り消していません)、要求を送信したものの停止までに応答がなかったユーザーは Unknown (取り消された可能性があります。もう一度実行しても問題ありません) です。PowerShell は停止されたコマンドにオブジェクトの出力を許さないため、代わりにホストに概要 (取り消し済み N、キャンセル M、不明 K) と、取り消したユーザーおよび不明のユーザーの名前を表示します。-ResultPath を指定すると、停止されたかどうかにかかわらず全ユーザーの結果が CSV ファイルにも書き込まれます。実行が中断される可能性がある場合は指定してください。

取り消しを行うとユーザーはあらゆる場所でサインアウトされるため、影響度は High です。-Confirm:$false を付けない限り、ユーザーごとに確認を求めます。まず -WhatIf を付けて実行し、影響を受けるユーザーを確認してください。
'@
    Parameters  = @{
        UserPrincipalName = '1 人以上のユーザー。ユーザー プリンシパル名 (isaiah.langer@contoso.com) または Entra のオブジェクト ID で指定します。重複 (大文字と小文字の違いを含む) は 1 回だけ取り消されます。パイプラインでユーザーを渡す方法は -InputObject を参照してください。'
        InputObject       = 'パイプラインから受け取るもの: Get-OutlookMobileDevice の端末 (各端末のメールボックスの所有者に解決されます)、Get-OutlookQrSigninEvidence のサインイン イベント (イベントがいくつあってもユーザーごとに 1 回取り消します)、文字列のユーザー プリンシパル名やオブジェクト ID、または UserPrincipalName プロパティを持つ任意のオブジェクト (以前の結果や Import-Csv の行など)。それ以外のものはエラーとして報告され、スキップされます。'
        ResultPath        = 'すべてのユーザーの結果 (Requested、UserPrincipalName、UserId、Status、Message) を、この CSV ファイル (BOM 付き UTF-8) にも書き込みます。コマンドが最後まで実行されても Ctrl+C で停止されても書き込みます。停止されたコマンドは結果を出力できないため、誰を取り消し、誰がキャンセルまたは不明になったかの完全な一覧はこのファイルに残ります。ファイルはまだ存在してはならず、フォルダーは存在している必要があります。'
        Session           = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。Microsoft Graph へのアクセス (User.RevokeSessions.All) が必要です。端末を渡す場合は Exchange へのアクセスも使います。'
    }
    Inputs      = @('OutlookQrGuard.Model.OutlookMobileDevice', 'System.String', 'System.Management.Automation.PSObject')
    Examples    = @(
        @{
            Title   = '1 人のユーザーのセッションを取り消す'
            Code    = 'Revoke-OutlookMobileSignin -UserPrincipalName isaiah.langer@contoso.onmicrosoft.com'
            Remarks = '確認のあと、そのユーザー、Status Revoked、メッセージ「Sign-in sessions revoked: the user''s apps must sign in again through Entra ID.」を含む 1 行を返します。'
        }
        @{
            Title   = 'サインアウトされるユーザーを確認する'
            Code    = 'Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -WhatIf'
            Remarks = 'Outlook モバイル アプリを持つユーザーごとに「WhatIf」の行を 1 つ表示します。何も取り消しません。'
        }
        @{
            Title   = 'Outlook モバイル アプリを持つ全員のセッションを確認なしで取り消す'
            Code    = @'
$results = Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false -ErrorVariable failed
$results | Group-Object Status -NoElement
$failed.Count
'@
            Remarks = '所有者ごとに 1 回ずつ取り消し、Status ごとに結果を集計します。失敗したユーザーのエラーは $failed に残ります。'
        }
        @{
            Title   = 'QR コードでサインインしたユーザーのセッションを取り消す'
            Code    = 'Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin -Confirm:$false'
            Remarks = '過去 30 日間に認証転送でサインインしたユーザー全員を、サインイン イベントの数にかかわらず 1 回ずつ取り消します。'
        }
        @{
            Title   = 'CSV ファイルに記載したユーザーのセッションを取り消す'
            Code    = 'Import-Csv ./users.csv | Revoke-OutlookMobileSignin -Confirm:$false'
            Remarks = '各行に、UPN またはオブジェクト ID を入れた UserPrincipalName 列が必要です。'
        }
        @{
            Title   = '取り消せなかったユーザーについてもう一度実行する'
            Code    = @'
$results = Get-OutlookMobileDevice | Revoke-OutlookMobileSignin -Confirm:$false -ErrorAction SilentlyContinue
$results | Where-Object Status -in 'Throttled', 'Failed' | Revoke-OutlookMobileSignin -Confirm:$false
'@
            Remarks = '結果にはユーザーの UserPrincipalName が含まれるため、調整 (スロットリング) されたユーザーや失敗したユーザーを、たとえば数分後にそのままパイプで渡し直せます。'
        }
    )
    Notes       = @'
アクセス許可: Microsoft Graph の User.RevokeSessions.All (アプリ専用のサインインとマネージド ID ではアプリケーションのアクセス許可、-Device では委任されたアクセス許可) に管理者の同意が必要です。委任の場合は、対象のユーザーを管理できるユーザー管理者などの Entra ロールも必要です。これがないと、ユーザーの Status は Forbidden になります。端末をパイプで渡す場合は、各メールボックスの所有者を調べるために Get-OutlookMobileDevice と同じ Exchange のアクセスも必要です。

$ で始まるユーザー プリンシパル名は、Microsoft Graph の求めるとおり /users('$name@domain') の形で指定します。

要求は $batch (1 回に 20 ユーザー) でまとめて送ります。調整 (スロットリング) されたユーザーは、そのユーザーの Retry-After だけ待ってから後のバッチで送ります。送信後にバッチの応答が失われた場合は、まずユーザーの signInSessionsValidFromDateTime を読み取り (User.Read.All も必要です)、まだ取り消されていないユーザーだけを送り直すため、各ユーザーの取り消しは 1 回だけです。User.Read.All がない場合、それらのユーザーはもう一度取り消されます (害はありません)。その場合は警告が表示されます。

Entra ID は取り消しを少し遅れて (通常は数分以内に) 反映します。取り消しでは端末は削除されないため、その後も Get-OutlookMobileDevice には端末が表示されます。
'@
    Links       = @('Get-OutlookMobileDevice', 'Get-OutlookQrSigninEvidence', 'Export-OutlookMobileDevice', 'Disable-OutlookQrSignin', 'Connect-OutlookQrGuard')
}
