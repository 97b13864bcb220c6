@{
    Synopsis    = '複数のテナントを一度に確認します。層ごとの QR コード サインインの判定、サインイン証跡の件数、ブロックされるユーザーの概要を、テナントごとに 1 行で返します。'
    Description = @'
Get-OutlookQrFleetStatus は、複数の Microsoft 365 テナントを管理する管理者 (マネージド サービス プロバイダー、グループ企業など) 向けのコマンドです。セッションごとに、Test-OutlookQrSignin と同じ内容 (「Get Outlook mobile」プロンプトと、条件付きアクセスによる認証転送のブロック)、Outlook on the web メールボックス ポリシーの AccountTransferEnabled、過去 30 日間の認証転送サインイン (Get-OutlookQrSigninEvidence と同じ) を読み取り、テナントごとに 1 行を返します。

テナントはネイティブ エンジンの中で並行して確認されます (同時に最大 -ThrottleLimit、既定は 4)。Runspace やジョブは不要で、各テナントのスロットリングはそのテナントの要求にそのまま適用されます。行はセッションを受け取った順に返ります。

失敗したテナントが他のテナントを止めることはありません。その行の Verdict は Error (Exchange 側を読み取れなかった場合) になり、Errors に何を読み取れなかったか、その理由を層ごとに 1 文で示します (例: サインイン ログに必要な Graph のアクセス許可やライセンスがない場合。他の層は回答されます)。

各行には Tenant、Organization、Verdict (Exposed、ReportOnly、BlockedWithExclusions、PromptHidden、Blocked、Unknown、Error)、Prompt、ConditionalAccess、OwaAccountTransfer、EvidenceAvailable、TransferUsers、TransferSignins、NewestTransfer、WouldBeBlockedUsers と WouldBeBlockedNote、Errors、StartedAfter と Elapsed、そして確認に使った Session が含まれます。そのため行をこのモジュールの任意のコマンドにパイプできます (Where-Object Verdict -eq Exposed | Disable-OutlookQrSignin)。ブロック対象の一覧機能を含まないビルドでは、認証転送のブロックがレポート専用のテナントでは、WouldBeBlockedUsers は過去 30 日にそのブロックがブロックしていたはずのユーザー数 (Get-OutlookQrBlockImpact が一覧表示するもの)、WouldBeBlockedNote はその推奨事項です。その他のテナントでは空で、理由 (レポート専用のブロックがない、または条件付きアクセスを読み取れない) が注記されます。

行を Get-OutlookQrGuardReport にパイプすると、全テナントを 1 ページにまとめた HTML (または JSON) を状態の悪い順に作成します。

読み取りのみで、何も変更しません。
'@
    Parameters  = @{
        Session       = 'Connect-OutlookQrGuard が返したテナントのセッション (例: Import-Csv tenants.csv | Connect-OutlookQrGuard)。省略すると、この Runspace で接続され、まだ開いているすべてのセッションを確認します。'
        ThrottleLimit = '同時に確認するテナントの数 (1 から 64、既定は 4)。1 を指定すると 1 つずつ順に確認します。'
    }
    Inputs      = @('OutlookQrGuard.Model.OutlookQrGuardSession')
    Examples    = @(
        @{
            Title   = 'CSV のすべてのテナントを確認する'
            Code    = @'
Import-Csv .\tenants.csv |
    Connect-OutlookQrGuard -CertificatePassword $pfxPassword -ErrorVariable failed |
    Get-OutlookQrFleetStatus -ThrottleLimit 8 |
    Format-Table
'@
            Remarks = 'tenants.csv には Organization、AppId、CertificateThumbprint、CertificatePath、ManagedIdentity の列があります。接続できないテナントはエラーとして報告され ($failed に保存)、他のテナントは確認されます。'
        }
        @{
            Title   = 'フリート全体を 1 ページにまとめる'
            Code    = 'Get-OutlookQrFleetStatus | Get-OutlookQrGuardReport -Path .\fleet.html'
            Remarks = 'この Runspace で接続されているすべてのセッションを確認し、状態の悪いテナントから順に 1 つの HTML ページに書き出します。'
        }
        @{
            Title   = 'プロンプトが表示されているテナントでプロンプトを非表示にする'
            Code    = 'Get-OutlookQrFleetStatus | Where-Object Verdict -eq Exposed | Disable-OutlookQrSignin'
            Remarks = '各行はセッションを持っており、Disable-OutlookQrSignin はそれをパイプラインから受け取ります。'
        }
    )
    Links       = @('Connect-OutlookQrGuard', 'Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Get-OutlookQrGuardReport')
}
