@{
    Synopsis    = 'Outlook の QR コード サインインに関する監査レポートを作成します。プロンプトの設定、条件付きアクセスによるブロック、ユーザー別・OS 別の接続中の Outlook モバイル端末、QR コードでサインインしたユーザー、次に行うべきことをまとめます。'
    Description = @'
Get-OutlookQrGuardReport は、両方の層 (プロンプトの設定と、条件付きアクセスによる認証転送のブロック) を確認し (Test-OutlookQrSignin と同じ)、接続している Outlook for iOS and Android の端末 (Get-OutlookMobileDevice と同じ) と過去 30 日間の認証転送によるサインイン (Get-OutlookQrSigninEvidence と同じ) を読み取り、次の内容を 1 つのレポートにまとめます。

- 組織名、両方の層を合わせた判定 (Exposed、PromptHidden、ReportOnly、BlockedWithExclusions、Blocked、Unknown) とその理由

- 条件付きアクセスの状態と、認証転送をブロックするポリシー (除外を名前付きで)
- OWA メールボックス ポリシー (半ば文書化された層): ポリシーごとの AccountTransferEnabled と、適用されるメールボックス数 (ポリシーが割り当てられていないメールボックスは既定のポリシーに数えます)。Microsoft の Set-OwaMailboxPolicy のリファレンスでは内部使用のために予約済みとされ、Microsoft365DSC は QR コード サインインの設定と説明しています。ポリシーを読み取れない場合、この項目は理由付きで Unknown となり、レポートのほかの部分には影響しません。

- 認証転送 (QR コード) でサインインしたユーザー数とサインイン数。サインイン ログを読み取れない場合 (AuditLog.Read.All がない、または Microsoft Entra ID P1 がない場合) は、その理由を示します

- 接続している Outlook モバイル端末の数と、そのユーザー数

- OS (iOS、Android など) ごとの端末数と、端末数の多い上位 10 ユーザー

- 推奨事項: プロンプトが表示されていれば非表示にする、接続中の端末を確認して取り消す、端末の多いユーザーを確認する、条件付きアクセスで認証転送をブロックする

- 全ユーザーとそれぞれの端末数

-Format で形式を選びます。Html (既定) は、スクリプトや外部リソースを含まない 1 ページで完結した Web ページです。ブラウザーで開いたり、メールやチケットに添付したりでき、PowerShell を使わない人でも読めます。ページにはインライン SVG で 3 つの図を描きます: 3 つの層 (プロンプト MobileAppEducationEnabled、OWA メールボックス ポリシーのスイッチ AccountTransferEnabled (半ば文書化されたもの)、認証の転送を禁止する条件付きアクセス: なし・レポート専用・有効) とその状態 (色だけでなく枠内に文字でも表示)、30 日間の UTC の日ごとの QR コード サインイン数 (サインインのない日も含む)、OS ごとの端末数です。各図にはスクリーン リーダー向けのタイトルと説明文が付きます。数値は -Culture の桁区切り記号で区切られます。長い表は先頭 10 行を表示し、残り (ページには最大 1,000 行) は "Show all" の下に折りたたまれます。全データは JSON (ユーザーごとの数は CSV にも) にあります。印刷すると折りたたまれた行は展開され、図はページをまたいで分割されません。ページはスクリプトと外部リソースを禁止する Content-Security-Policy を持つため、ブラウザーもそれを強制します。Json はすべての数値を camelCase の名前 (organization、generatedAtUtc、promptEnabled、verdict、verdictReason、outlookMobileDevices、usersWithDevices、devicesByOs、usersWithMostDevices、recommendations、devicesPerUser、state・reason・code・policies を持つ conditionalAccess、available・reason・windowDays・users・signins・perUser・perDay を持つ evidence) で持ち、監視や Runbook に向いています。Csv はユーザーごとに 1 行 (列は User、OutlookMobileDevices、TransferSignIns) で、Excel 向けです。ユーザーはメールボックスの表示名 (UserDisplayNameNew) で示されます。

-Path を指定しない場合、レポートは文字列として返されます。-Path を指定すると、そのファイルに書き込み、FileInfo を返します。ファイルは Export-OutlookMobileDevice と同じ安全な方法で書き込まれます。一時的な名前で書き込み、完成してから名前を変更するため、失敗や中断をしても書きかけのファイルは残りません。既存のファイルは -Force を付けた場合にだけ置き換えます。フォルダーは存在している必要があります。CSV は BOM 付き UTF-8 で、=、+、-、@、タブ、復帰 (CR) で始まる値には先頭にアポストロフィが付きます。HTML と JSON は BOM なしの UTF-8 です。ページの文章は英語です。

テナントの読み取りだけを行い、何も変更しません。
'@
    Parameters  = @{
        FleetRow = 'Get-OutlookQrFleetStatus の行 (パイプラインまたは引数で指定)。このときレポートは全テナントを 1 ページにまとめたものになります。テナントごとの判定、各層 (プロンプト、条件付きアクセス、OWA の AccountTransferEnabled) の状態、過去 30 日の認証転送ユーザー数とサインイン数、最新の日時、ブロックされるユーザー数、読み取れなかった内容を、状態の悪い順に表にします。-Format は Html または Json です (Csv は受け付けません。行を Export-Csv にパイプしてください)。'
        Format            = 'レポートの形式: Html (既定)、Json、Csv。'
        Path              = 'レポートを書き込むファイル。相対パスは PowerShell の現在の場所を基準に解決されます。指定しない場合、レポートは文字列として返されます。 このファイルには IMEI、電話番号、ユーザー名が含まれます。Linux と macOS では、自分だけが読み書きできるファイル (モード 0600) として作成され、-Force で置き換えたファイルは元のモードを保ちます。Windows ではフォルダーのアクセス許可 (ACL) を継承するため、適切な人だけが読めるフォルダーに書き込んでください。'
        Force             = '-Path の既存のファイルを置き換えます。指定しない場合、既存のファイルはエラーになります。どちらの場合もフォルダーは存在している必要があります。'
        Culture           = 'HTML ページの数値に使う桁区切り記号のカルチャ。例: en-US (1,234)、ja-JP (1,234)、de-DE (1.234)、fr-FR (1 234、狭いノーブレーク スペース)、en-IN (12,34,567)。既定はセッションの現在のカルチャ ($PSCulture) です。ページの文章は英語のままで、JSON と CSV の数値は区切りのない数値です。区切り記号が分からないカルチャは言語で、それでもなければコンマで区切ります。'
        UserPrincipalName = 'このメールボックスの端末だけを数えます。ユーザー プリンシパル名、エイリアス、またはその他のメールボックス ID を指定します。既定ではすべてのメールボックスの端末を数えます。'
        DeviceModel       = 'DeviceModel がこの値の端末だけを数えます。既定は "Outlook for iOS and Android" です。'
        AnyDeviceModel    = 'Outlook モバイル アプリだけでなく、すべての機種の ActiveSync 端末を数えます。-DeviceModel より優先されます。'
        ResultSize        = '読み取る端末の最大数。正の数または Unlimited (既定) を指定します。上限を指定した場合、集計は読み取った端末だけが対象です。'
        Session           = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('OutlookQrGuard.Model.FleetTenantStatus: フリート ページ用の Get-OutlookQrFleetStatus の行。', 'OutlookQrGuard.Model.OutlookQrGuardSession: セッションごとに 1 つのレポート。')
    Examples    = @(
        @{
            Title   = '監査結果を Web ページとして書き出す'
            Code    = 'Get-OutlookQrGuardReport -Path ./outlook-qr-audit.html'
            Remarks = '判定、端末数とユーザー数、OS 別の端末数、端末数の多いユーザー、推奨事項を含む HTML ページを書き込み、そのファイルを返します。任意のブラウザーで開けます。'
        }
        @{
            Title   = 'スクリプトや Runbook で数値を使う'
            Code    = @'
$report = Get-OutlookQrGuardReport -Format Json | ConvertFrom-Json
"$($report.verdict): $($report.outlookMobileDevices) devices of $($report.usersWithDevices) users"
$report.recommendations
'@
            Remarks = '-Path を指定しない場合、JSON のテキストが文字列として返されます。ConvertFrom-Json でオブジェクトに変換できます。'
        }
        @{
            Title   = 'ユーザー別の端末数を Excel 用に書き出す'
            Code    = 'Get-OutlookQrGuardReport -Format Csv -Path ./outlook-mobile-per-user.csv -Force'
            Remarks = 'ユーザーごとに 1 行で Outlook モバイル端末の数を、多い順に書き込みます。ファイルがあれば置き換えます。'
        }
        @{
            Title   = '日付入りのファイル名で毎週レポートを作る'
            Code    = 'Get-OutlookQrGuardReport -Path "./outlook-qr-audit-$(Get-Date -Format yyyyMMdd).html"'
            Remarks = 'スケジュールした Runbook で Connect-OutlookQrGuard -ManagedIdentity のあとに実行すると、履歴を残せます。'
        }
    )
    Notes       = @'
Test-OutlookQrSignin や Get-OutlookMobileDevice と同じ Exchange Online のアクセスが必要です。Exchange 管理者ロール (アプリ専用のサインインではさらに Exchange.ManageAsApp) を付与してください。Entra ID 側は Microsoft Graph を使います。条件付きアクセスの状態には Policy.Read.All、サインイン ログには AuditLog.Read.All が必要で、どちらも Microsoft Entra ID P1 が必要です。これらがなくても Exchange 側のレポートは作成され、付与すべきものがレポートに示されます。

端末だけでは、QR で接続した端末と通常の手順でサインインした端末を区別できません。サインイン ログなら、30 日間の保持期間内であれば区別できます。その証拠を行ごとに付けた端末の一覧には Export-OutlookMobileDevice -IncludeSigninEvidence を使ってください。
'@
    Links       = @('Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Get-OutlookMobileDevice', 'Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin')
}
