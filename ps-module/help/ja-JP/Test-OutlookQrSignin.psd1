@{
    Synopsis    = 'Outlook の QR コード サインインの 2 つの層を確認します。Outlook on the web の「Get Outlook mobile」プロンプトと、Entra ID の条件付きアクセスによる認証転送のブロックです。'
    Description = @'
Test-OutlookQrSignin は 2 つのものを読み取り、1 つの判定を返します。

Exchange の層: Exchange Online の組織構成から、Outlook on the web がユーザーに「Get Outlook mobile」/「Always connected to Outlook」のプロンプトを表示するかどうかを調べます。このプロンプトから表示される QR コードを読み取ると、スマートフォン側でサインインしないまま Outlook アプリがサインイン済みになります。対応する設定は MobileAppEducationEnabled (Get-OrganizationConfig) です。

Entra ID の層: QR コードは「認証転送 (authentication transfer)」という Entra ID のフローで、条件付きアクセス ポリシーならすべてのクライアントに対してブロックできます。テナントの条件付きアクセス ポリシーを読み取り、許可コントロールで認証転送をブロックするポリシーをすべて報告します。有効かレポート専用か、すべてのユーザー・すべてのアプリ・すべてのクライアント アプリの種類が対象か、そして除外 (ユーザー、グループ、ロール) を名前で示します。除外はそれぞれブロックを通り抜ける道になるためです。

結果には、組織名、MobileAppEducationEnabled、そのほかの MobileApp* と OutlookMobile* の設定すべて、PromptEnabled、ConditionalAccessState (Blocked、BlockedWithExclusions、ReportOnly、NotBlocked、Unknown)、ConditionalAccessReason、ConditionalAccessCode (状態が Unknown のときのサービスのコード)、TransferBlockPolicies (許可コントロールで認証転送をブロックするポリシーすべて。無効なものも含む)、Exclusions、Exposed、判定 (Verdict)、その理由 (Reason) が含まれます。Verdict は両方の層を合わせた判定です。適用済みのブロックはすべてのクライアントでフローを止めるため、最初に判定されます。

- Blocked: 有効なポリシーが、すべてのユーザー、アプリ、クライアント アプリの種類に対して、除外なしで認証転送をブロックしています。Microsoft の説明 (「Conditional Access: Authentication flows」のプロトコル追跡) によると、QR コードで接続済みの端末も次回のトークン更新時に止まります (本モジュールは実テナントで確認していません)。

- BlockedWithExclusions: 有効なポリシーが、示された除外を除くすべてのユーザーに対してブロックしています。除外されたアカウントは、QR コードでスマートフォンをサインインさせることができます。

- PromptHidden: 適用済みのブロックはなく、プロンプトは非表示です (MobileAppEducationEnabled が False)。変更がユーザーに反映されるまで最大 8 時間かかることがあります (Microsoft の管理者向け記事)。以前に接続した端末は接続されたままです。ブロックを有効化すると (Block-OutlookAuthenticationTransfer -Enforce)、Microsoft がプロトコル追跡セッションについて説明しているとおり、QR コードで接続した端末は次回のトークン更新時に止まります。今すぐ切断するには Revoke-OutlookMobileSignin を使います。端末は Get-OutlookMobileDevice と Get-OutlookQrSigninEvidence で確認できます。

- ReportOnly: プロンプトが表示され、認証転送をブロックするポリシーはレポート専用 (enabledForReportingButNotEnforced) のものだけです。ブロックされるはずのユーザーを記録するだけで、誰もブロックしません。このときチェックは過去 30 日間のサインイン ログからその結果を読み (Get-OutlookQrBlockImpact と同じ)、ReportOnlyImpact、WouldBlockUsers、WouldBlockSignIns、WouldBlockBreakGlassUsers (ほかのポリシーでは除外されているがブロックからは除外されていないアカウント)、WouldBlockExcludedUsers、EnforceRecommendation を追加します。Block-OutlookAuthenticationTransfer -Enforce の推奨は、この根拠とともにだけ示されます (読み取れない場合は理由を警告し、-Enforce は推奨しません)。ほかの状態ではこれらのプロパティは空です。

- Exposed: プロンプトが表示され、Entra ID でもフローがブロックされていません。Disable-OutlookQrSignin と Block-OutlookAuthenticationTransfer を実行してください。

- Unknown: テナントが MobileAppEducationEnabled を返さず、条件付きアクセスでも判定できません。

呼び出し元に Policy.Read.All がない場合や、テナントに Microsoft Entra ID P1 がない場合でも、Exchange 側は答えを返します。ConditionalAccessState は Unknown になり、ConditionalAccessReason (と警告) に付与すべきアクセス許可や不足しているライセンスが示され、判定はプロンプトの設定だけに基づきます。

-Quiet を指定すると $true か $false だけを返します。if 文や監視用の Runbook で使えます。適用済みのポリシーが全員に対して認証転送をブロックしている場合 (Blocked) やプロンプトが非表示の場合は $false、それ以外は $true です (レポート専用のポリシーや除外があると、QR コード サインインはまだ使えます)。

読み取りだけを行い、何も変更しません。-Verbose で各層から読み取った内容を表示します。
'@
    Parameters  = @{
        Quiet   = '結果オブジェクトの代わりに $true か $false だけを返します。適用済みの条件付きアクセス ポリシーが全員に対して認証転送をブロックしている場合やプロンプトが非表示の場合は $false、それ以外 (QR コード サインインがまだ使える場合) は $true です。'
        Session = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'テナントを確認する'
            Code    = 'Test-OutlookQrSignin'
            Remarks = '組織名、MobileAppEducationEnabled、条件付きアクセスの状態、認証転送をブロックするポリシーとその除外、Verdict、Reason を表示します。プロンプトを表示していてブロックもないテナントでは Verdict : Exposed になります。'
        }
        @{
            Title   = 'スクリプトで結果を使う'
            Code    = @'
if (Test-OutlookQrSignin -Quiet) {
    Write-Warning 'The QR-code sign-in can still be used in this tenant.'
}
'@
            Remarks = 'QR コード サインインがまだ使える場合にだけ警告を出します。'
        }
        @{
            Title   = '認証転送をブロックするポリシーの除外をすべて表示する'
            Code    = '(Test-OutlookQrSignin).TransferBlockPolicies | ForEach-Object { $_.DisplayName; $_.Exclusions | Format-Table Kind, DisplayName, Id }'
            Remarks = '除外されたユーザー、グループ、ロールはそれぞれブロックを通り抜ける道になります。除外はブレーク グラス アカウントだけにしてください。'
        }
        @{
            Title   = '組織の Outlook モバイル関連の設定をすべて表示する'
            Code    = 'Test-OutlookQrSignin | Format-List *'
            Remarks = '既定の表示は主なプロパティだけです。Format-List * で MobileApp* と OutlookMobile* の設定もすべて表示されます。'
        }
    )
    Links       = @('Disable-OutlookQrSignin', 'Block-OutlookAuthenticationTransfer', 'Get-OutlookQrSigninEvidence', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Connect-OutlookQrGuard', 'Get-OutlookQrGuardReport')
}
