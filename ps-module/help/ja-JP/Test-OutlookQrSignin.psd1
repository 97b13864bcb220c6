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

読み取りだけを行い、何も変更しません (-UpdateBaseline 指定時のベースライン ファイルを除く)。-Verbose で各層から読み取った内容を表示します。

3 つ目の層 (半ば文書化された設定): すべての Outlook on the web メールボックス ポリシーの AccountTransferEnabled です。Microsoft365DSC は QR コード サインインのスイッチ (既定で有効) と説明し、Microsoft の Set-OwaMailboxPolicy リファレンスは「reserved for internal Microsoft use」としています。OwaAccountTransferState は On (少なくとも 1 つのポリシーで True、または値が報告されない場合。既定は True)、Off、Unknown のいずれかです。OwaMailboxPolicies は各ポリシーの値と適用先のメールボックス数 (Get-CASMailbox を 1 回走査。ポリシー未割り当てのメールボックスは既定のポリシーに数えます) を示します。OwaAccountTransferReason はスイッチが有効なポリシー、または層を読み取れなかった理由を示します (OwaAccountTransferCode にはサービスのコードが入ります。たとえばアプリの Exchange ロールに Get-CASMailbox や Get-OwaMailboxPolicy がない場合は CommandNotFoundException)。OwaAccountTransferDocumentation は Microsoft による文書化の程度を示します。この層は Verdict と -Quiet を変えません。このスイッチ単独で QR コードが表示されるかどうかを Microsoft は文書化していないため (第三者の記事では、ヘルプの「Outlook Mobile」の QR 入口を制御すると報告されています)、判定は文書化された 2 つの層に基づき、スイッチが有効なときは Reason に追加の所見として記載します。Disable-OutlookQrSignin -IncludeOwaAccountTransfer でオフにできます。

ドリフト検出 (-BaselinePath): テナントの状態をベースラインのスナップショット ファイルと比較します。スナップショットは小さな JSON 文書 (schemaVersion 1) で、プロンプトの設定、Outlook on the web の各メールボックス ポリシーの AccountTransferEnabled、条件付きアクセスの状態と認証転送をブロックする各ポリシーおよびその除外 (ID と名前)、判定、過去 30 日のサインインの証跡 (ユーザー数、サインイン数、最新のサインイン時刻) を保持します。チェック結果の代わりに、変更ごとに OutlookQrGuard.Model.DriftDifference (Severity、What、From、To、Path) を 1 つ返し、変更がなければ何も返しません。Severity が Worse の場合は、ベースラインより露出が増えたことを表します: 判定が Exposed の方向 (Blocked、BlockedWithExclusions、PromptHidden、ReportOnly、Exposed の順) に動いたか Unknown になった、プロンプトがオンになった、AccountTransferEnabled がオンになった (またはオンのポリシーが追加された)、ブロックするポリシーが削除・無効化・レポート専用化・対象縮小された、ユーザー、グループ、ロール、ゲストの種類が除外された、層が読み取れなくなった、サインイン ログに新しい QR コード サインイン (またはユーザーの増加) が現れた、のいずれかです。Worse の変更は警告としても表示します。そのほか Better、Changed (方向なし)、Info (名前の変更や、期間の移動による件数の変化) があります。-BaselinePath と -Quiet を指定すると、ベースラインから悪化していなければ $true、悪化していれば $false を返します。

ベースライン ファイルがない場合は初回の実行として扱い、比較は行いません (-UpdateBaseline で作成します)。-UpdateBaseline は比較の後に現在のスナップショットを書き込みます。同じフォルダーの一時ファイルに書いてから古いファイルへ名前を変更するので、書き込みに失敗しても古いファイルは残ります。正しい JSON でない、schemaVersion が異なる、別のテナントで取得された、のいずれかのベースラインではファイル名を示すエラーで停止し、ファイルは上書きしません。ファイルには ID、名前、状態、件数だけが入り、シークレットは入りません。
'@
    Parameters  = @{
        BaselinePath   = 'テナントと比較するベースラインのスナップショット ファイル (JSON)。指定するとチェック結果の代わりに差分 (DriftDifference オブジェクト) を返します。ファイルがない場合は初回の実行として比較を行いません (-UpdateBaseline で作成します)。別名: -Baseline。'
        UpdateBaseline = '比較の後、現在のスナップショットを -BaselinePath に書き込みます (アトミックに書き込み、このテナントのベースラインとして読めなかったファイルは上書きしません)。-WhatIf と -Confirm に対応します。-BaselinePath が必要です。'
        Quiet   = '結果オブジェクトの代わりに $true か $false だけを返します。適用済みの条件付きアクセス ポリシーが全員に対して認証転送をブロックしている場合やプロンプトが非表示の場合は $false、それ以外 (QR コード サインインがまだ使える場合) は $true です。OWA メールボックス ポリシーの層は読み取りません (メールボックスを走査しません)。この層は答えを変えないためです。'
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
        @{
            Title   = 'ドリフトを監視し、ベースラインより悪化していたら失敗させる'
            Code    = @'
$changes = Test-OutlookQrSignin -BaselinePath .\contoso-qr-baseline.json
$changes | Format-Table
if ($changes.Severity -contains 'Worse') { throw 'QR サインインの状態がベースラインより悪化しています。' }
Test-OutlookQrSignin -BaselinePath .\contoso-qr-baseline.json -UpdateBaseline -Quiet
'@
            Remarks = '最初の呼び出しで変更を一覧します (変更がなければ何も返さず、初回はベースラインがないことを警告します)。最後の呼び出しで現在の状態を新しいベースラインとして書き込み、悪化していなければ $true を返します。examples/AzureAutomation-Runbook.ps1 はこれをスケジュールで実行します。'
        }
    )
    Links       = @('Disable-OutlookQrSignin', 'Block-OutlookAuthenticationTransfer', 'Get-OutlookQrSigninEvidence', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Connect-OutlookQrGuard', 'Get-OutlookQrGuardReport')
}
