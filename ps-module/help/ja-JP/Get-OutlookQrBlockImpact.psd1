@{
    Synopsis    = 'レポート専用の認証転送ブロックを有効化 (強制) した場合に何が止まるか、つまりサインインがブロックされていたはずのユーザーとアプリを表示します。'
    Description = @'
Get-OutlookQrBlockImpact は、Block-OutlookAuthenticationTransfer -Enforce を実行する前に確認すべきことに答えます。認証転送をブロックする条件付きアクセス ポリシーがレポート専用の間も、Entra ID はサインインのたびにそのポリシーを評価し、結果をサインイン ログ (appliedConditionalAccessPolicies) に記録します。結果が reportOnlyFailure であれば、そのポリシーはそのサインインをブロックしていたことを意味します。このコマンドレットは期間内のサインイン ログ (Microsoft Graph の beta auditLogs/signIns) を読み、ユーザーとアプリの組ごとに、そのようなサインインの件数と最初・最後の日時を 1 つのオブジェクトとして返します。

対象は、認証転送をブロックするすべてのレポート専用ポリシー (このモジュールのポリシーとそれ以外) です。1 つもない場合はその旨のエラーで停止します (Block-OutlookAuthenticationTransfer で作成できます)。今日作成したポリシーにはまだ結果がありません。

Microsoft Graph は、レポート専用の結果 (reportOnlySuccess、reportOnlyFailure、reportOnlyNotApplied、reportOnlyInterrupted) を、要求ヘッダー "Prefer: include-unknown-enum-members" を送ったクライアントにだけ返します。このコマンドレットはこのヘッダーを送ります。サインイン ログはこれらの結果で絞り込めないため、期間内の認証転送によるサインイン (Get-OutlookQrSigninEvidence と同じクエリ。転送方法での絞り込みをサービスが拒否した場合の代替も同じ) を読み、結果をこのコンピューター上で判定します。このようなポリシーがブロックできるのは認証転送で始まったセッションのサインインだけなので、取りこぼしはありません。ページは 1 つずつ読み、届いた順に集計するため、メモリはサインイン数ではなくユーザーとアプリの数に比例します。スロットリングは Get-OutlookQrSigninEvidence と同じく処理します (Retry-After に従います)。

各オブジェクトは UserPrincipalName、UserId、UserDisplayName、App、AppId、SignIns、FirstSignIn と LastSignIn (UTC)、Policies (ブロックを報告したレポート専用ポリシー)、ExcludedNow (そのユーザーは現在そのポリシーから除外されているため、有効化してもブロックされない)、BreakGlass (ほかの有効な条件付きアクセス ポリシーでは除外されているが、このブロックからは除外されていない: 有効化すると認証転送を使えなくなる緊急アクセス用アカウントの可能性が高い) を持ちます。最後のサインインの新しい順に並びます。最後に、サインイン数、ユーザー数、期間、除外済みおよび緊急アクセス用と思われるアカウントの数をまとめた 1 行が表示されます。-Verbose を付けると推奨事項も表示されます。

出力を Revoke-OutlookMobileSignin にパイプすると、それらのユーザーのセッションを取り消します (ユーザーごとに 1 回)。

除外されたグループは直接のメンバーに展開して判定します (入れ子のグループは展開しません。読み取れないグループは警告に名前を示します)。

アクセス許可: AuditLog.Read.All と Policy.Read.All (アプリケーション)、グループの除外には Group.Read.All も必要です。Policy.Read.All がないと、サービスはサインインから appliedConditionalAccessPolicies を省きます。その場合、このコマンドレットは警告を表示し、それらのサインインを数えません。サインイン ログと条件付きアクセスには Microsoft Entra ID P1 または P2 が必要です。
'@
    Parameters  = @{
        Since             = '期間の開始。既定値は 30 日前 (サインイン ログの保持期間) です。タイム ゾーンのない日時はローカル時刻として扱います。'
        Until             = '期間の終了。既定値は現在です。-Since より後である必要があります。'
        UserPrincipalName = 'このユーザーのサインインだけを対象にします (ユーザー プリンシパル名または Entra オブジェクト ID)。'
        InteractiveOnly   = '対話型サインイン (QR コードを使った瞬間) だけを対象にし、その後アプリが行う非対話型サインインを含めません。'
        Session           = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (この実行空間で最後に接続したもの。ForEach-Object -Parallel の各反復とスレッド ジョブはそれぞれ独自のセッションを持ちます) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = '有効化する前に: 過去 30 日間にブロックされていたはずのユーザー'
            Code    = 'Get-OutlookQrBlockImpact | Format-Table UserPrincipalName, App, SignIns, LastSignIn, BreakGlass, ExcludedNow'
            Remarks = 'ユーザーとアプリの組ごとに 1 行、最後にまとめの 1 行を表示します。BreakGlass の行は、ほかのポリシーでは除外されているがこのブロックからは除外されていないアカウントです。-Enforce の前に除外してください (Block-OutlookAuthenticationTransfer -ExcludeUser)。'
        }
        @{
            Title   = 'ブロックで止まるはずだったユーザーのセッションを取り消す'
            Code    = 'Get-OutlookQrBlockImpact | Where-Object { -not $_.BreakGlass } | Revoke-OutlookMobileSignin -WhatIf'
            Remarks = 'アプリやサインインがいくつあっても、ユーザーごとに 1 回だけ取り消します。取り消すには -WhatIf を外します。'
        }
        @{
            Title   = '直近 1 週間だけを合計で'
            Code    = 'Get-OutlookQrBlockImpact -Since (Get-Date).AddDays(-7) | Measure-Object SignIns -Sum'
            Remarks = 'まとめの行と同じ合計ですが、Measure-Object を使うとスクリプトで判定できる値になります。'
        }
    )
    Links       = @('Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Revoke-OutlookMobileSignin')
}
