@{
    Synopsis    = 'テナントに接続している Outlook for iOS and Android の端末を、Excel でそのまま開ける CSV ファイルに書き出します。'
    Description = @'
Export-OutlookMobileDevice は、Get-OutlookMobileDevice が返す端末を CSV ファイルに書き出します。Exchange Online から届いたページはそのままディスクに書き込まれます。できあがるファイルは次のパイプラインの出力と同じですが、その負荷や落とし穴はありません。

Get-MobileDevice -ResultSize Unlimited | Where-Object DeviceModel -eq 'Outlook for iOS and Android' | Select-Object *, @{ n = 'UserDisplayNameNew'; e = { ($_.Identity -split '\\')[0] } } | Export-Csv -NoTypeInformation -Encoding utf8BOM

列 (-Layout): 既定では、公開されている手順のファイルと同じ 42 列です。その手順のファイルはリモート PowerShell セッションから書き出されたもので、手順が示すとおり、ユーザーは O 列 (UserDisplayName) と AP 列 (UserDisplayNameNew) にあります。
A PSComputerName, B RunspaceId, C PSShowComputerName, D FriendlyName, E DeviceId, F DeviceImei, G DeviceMobileOperator, H DeviceOS, I DeviceOSLanguage, J DeviceTelephoneNumber, K DeviceType, L DeviceUserAgent, M DeviceModel, N FirstSyncTime, O UserDisplayName, P DeviceAccessState, Q DeviceAccessStateReason, R DeviceAccessControlRule, S ClientVersion, T ClientType, U IsManaged, V IsCompliant, W IsDisabled, X AdminDisplayName, Y ExchangeVersion, Z Name, AA DistinguishedName, AB Identity, AC Guid, AD ObjectCategory, AE ObjectClass, AF WhenChanged, AG WhenCreated, AH WhenChangedUTC, AI WhenCreatedUTC, AJ ExchangeObjectId, AK OrganizationId, AL Id, AM OriginatingServer, AN IsValid, AO ObjectState, AP UserDisplayNameNew。
PSComputerName はセッションの Exchange Online ホスト (世界共通のクラウドでは outlook.office365.com)、RunspaceId は接続ごとに 1 つの GUID (1 回の Connect-OutlookQrGuard では、すべての行とすべてのエクスポートで同じ)、PSShowComputerName は False で、リモート セッションが書き出す値と同じです。
-Layout ExchangeOnlineManagement を指定すると、現在の ExchangeOnlineManagement モジュールが返す形で書き出します。サービスの順序の 40 プロパティのあとに UserDisplayNameNew が続きます (41 列。UserDisplayName は L 列、UserDisplayNameNew は AO 列)。
A FriendlyName, B DeviceId, C DeviceImei, D DeviceMobileOperator, E DeviceOS, F DeviceOSLanguage, G DeviceTelephoneNumber, H DeviceType, I DeviceUserAgent, J DeviceModel, K FirstSyncTime, L UserDisplayName, M DeviceAccessState, N DeviceAccessStateReason, O DeviceAccessControlRule, P ClientVersion, Q ClientType, R IsManaged, S IsCompliant, T IsDisabled, U AdminDisplayName, V ExchangeVersion, W DirectoryObjectVersion, X Name, Y DistinguishedName, Z Identity, AA ObjectCategory, AB ObjectClass, AC WhenChanged, AD WhenCreated, AE WhenChangedUTC, AF WhenCreatedUTC, AG ExchangeObjectId, AH OrganizationalUnitRoot, AI OrganizationId, AJ Id, AK Guid, AL OriginatingServer, AM IsValid, AN ObjectState, AO UserDisplayNameNew。
UserDisplayNameNew は、端末を所有するメールボックスの Name (名前) です。Identity の最初の円記号 (バックスラッシュ) より前の部分にあたります (Identity は <メールボックスの Name>\ExchangeActiveSyncDevices\<端末の Name> の形で、例えば Lila\ExchangeActiveSyncDevices\REST§Outlook§5eec4e941e0748a264512fd83770d5ac)。

形式: 1 行目がヘッダーで、以降は端末ごとに 1 行です。Export-Csv と同じく、値はすべて二重引用符で囲まれ (値の中の引用符は 2 つ重ねます)、空のプロパティは引用符なしの空欄になります。真偽値は True / False と書き込まれます。日時は UTC の値を、Export-Csv と同じく現在のカルチャの短い日付形式と長い時刻形式で書き込みます (インバリアント カルチャでは 05/08/2023 01:04:13、en-US では 5/8/2023 1:04:13 AM、ja-JP では 2023/05/08 1:04:13)。別の形式にするには、先に [cultureinfo]::CurrentCulture を設定します。リストである ObjectClass は、値を半角スペースで連結して書き込みます (top msExchActiveSyncDevice)。改行は Windows では CRLF、それ以外では LF です。

エンコード: 既定は BOM 付きの UTF-8 です。そのため、ファイルをダブルクリックして Excel で開いても、日本語などの ASCII 以外の名前が正しく表示されます。ほかの選択肢は -Encoding を参照してください。

数式の無害化: 端末の名前は端末の所有者が自由に付けられるため、=HYPERLINK(…) のような名前は、スプレッドシートで開いたときに数式として実行されるおそれがあります。そこで、=、+、-、@、タブ、復帰 (CR) で始まる値には先頭にアポストロフィ (') を付けて書き込みます。Excel ではこれは文字列として表示されます。-NoFormulaProtection を付けるとこの処理を行わず、Export-Csv とバイト単位で同じ出力になります。

安全な書き込み: ファイルは出力先フォルダーに一時的な名前で書き込まれ、すべてのページを書き終えてから名前が変更されます。エクスポートが失敗したり中断 (Ctrl+C) されたりした場合は一時ファイルが削除され、-Path にある既存のファイルはそのまま残ります。途中までしか書かれていないファイルができることはありません。既存のファイルは -Force を付けない限り置き換えません。また、-Force を付けない限り出力先フォルダーは存在している必要があります。

完了すると、書き込んだ端末数とユーザー数、出力先、エンコード、バイト数を 1 行で表示します (-Quiet で非表示にできます。この行は情報ストリーム (6 番) に出力されます)。-PassThru を付けると、書き込んだファイルを返します。
'@
    Parameters  = @{
        Layout              = 'ファイルの列。RemotePowerShell (既定): 公開されている手順の 42 列で、リモート PowerShell セッションが書き出したとおり、PSComputerName、RunspaceId、PSShowComputerName、そのセッションの 38 プロパティ、UserDisplayNameNew の順です。UserDisplayName は O 列、UserDisplayNameNew は AP 列です。ExchangeOnlineManagement: 現在の ExchangeOnlineManagement モジュールが返すとおり、サービスの順序の 40 プロパティ (DirectoryObjectVersion と OrganizationalUnitRoot を含み、Guid は Id のあと) に UserDisplayNameNew が続きます。UserDisplayName は L 列、UserDisplayNameNew は AO 列です。すべての列の位置は説明に記載しています。-IncludeSigninEvidence の列はどちらの場合も最後に続きます。'
        Path                = '書き込む CSV ファイル。相対パスは PowerShell の現在の場所を基準に解決されます。パスはそのまま使われます (ワイルドカードは使えません)。 このファイルには IMEI、電話番号、ユーザー名が含まれます。Linux と macOS では、自分だけが読み書きできるファイル (モード 0600) として作成され、-Force で置き換えたファイルは元のモードを保ちます。Windows ではフォルダーのアクセス許可 (ACL) を継承するため、適切な人だけが読めるフォルダーに書き込んでください。'
        Encoding            = 'テキストのエンコード: utf8BOM (既定。BOM 付き UTF-8 で、Excel に最適)、utf8NoBOM または utf8 (BOM なし UTF-8)、unicode (BOM 付き UTF-16 リトル エンディアン)、shift_jis (Windows のコード ページ 932。古い日本語対応ツール向け)。shift_jis では、コード ページ 932 で表せない文字があると、Export-Csv のように "?" を書き込むのではなく、端末とプロパティを示すエラーでエクスポートを中止します。この場合、ファイルは書き込まれません。'
        Force               = '-Path の既存のファイルを置き換え、存在しない親フォルダーを作成します。指定しない場合、既存のファイルはエラーになり、フォルダーは存在している必要があります。-NoClobber とは同時に指定できません。'
        NoClobber           = '既存のファイルを決して置き換えません。これはもともと既定の動作で、Export-Csv -NoClobber に慣れた人のために用意しています。-Force とは同時に指定できません。'
        NoFormulaProtection = '=、+、-、@、タブ、復帰 (CR) で始まる値を、先頭にアポストロフィを付けずにそのまま書き込みます。ファイルをスプレッドシートで開かず、プログラムで読み込む場合にだけ使ってください。'
        PassThru            = '書き込んだファイルの System.IO.FileInfo を返します。既定では何も返しません。'
        IncludeSigninEvidence = 'レイアウトの列のあと (既定では AQ、AR、AS 列、-Layout ExchangeOnlineManagement では AP、AQ、AR 列) に、Entra ID のサインイン ログから 3 つの列を追加します。TransferSignInCount (端末の所有者が認証転送、つまり QR コードで行ったサインインの回数)、TransferFirstSignIn と TransferLastSignIn (ほかの日時列と同じ形式。該当がなければ空) です。所有者にそのようなサインインがある行に印が付きます。AuditLog.Read.All と Microsoft Entra ID P1 が必要です。ない場合は付与すべきものを示すエラーでエクスポートが停止しますが、このスイッチなしのエクスポートはそのまま使えます。スイッチを指定しない場合、ファイルはこのスイッチが追加される前とまったく同じです。'
        EvidenceSince       = '-IncludeSigninEvidence と一緒に指定し、サインイン ログの期間の開始日時を指定します。既定は 30 日前 (ログの保持期間) です。-IncludeSigninEvidence なしでは指定できません。'
        Quiet               = 'エクスポート完了時の要約行を表示しません。警告とエラーは表示されます。'
        UserPrincipalName   = 'このメールボックスの端末だけを書き出します。ユーザー プリンシパル名、エイリアス、またはその他のメールボックス ID を指定します。既定ではすべてのメールボックスの端末を書き出します。'
        DeviceModel         = 'DeviceModel がこの値の端末だけを書き出します。既定は "Outlook for iOS and Android" です。'
        AnyDeviceModel      = 'Outlook モバイル アプリだけでなく、すべての機種の ActiveSync 端末を書き出します。-DeviceModel より優先されます。'
        ResultSize          = '書き出す端末の最大数。正の数または Unlimited (既定) を指定します。さらに端末がある場合は警告が表示されます。'
        Session             = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'Outlook モバイルの端末を Excel 用に書き出す'
            Code    = 'Export-OutlookMobileDevice -Path ./outlook-mobile.csv'
            Remarks = '現在のフォルダーに outlook-mobile.csv (BOM 付き UTF-8、手順と同じ 42 列。ユーザーは O 列 UserDisplayName または AP 列 UserDisplayNameNew で探します) を書き込み、「156 ユーザーの 283 台の端末を /home/admin/outlook-mobile.csv にエクスポートしました (UTF-8 (with BOM)、385,556 バイト)。」のような 1 行を表示します。ファイルがすでにある場合はエラーになります。'
        }
        @{
            Title   = '前日のファイルを置き換える (必要ならフォルダーも作成する)'
            Code    = 'Export-OutlookMobileDevice -Path ./reports/outlook-mobile.csv -Force'
            Remarks = '新しいファイルが完成するまで、古いファイルはそのまま残ります。'
        }
        @{
            Title   = 'Runbook で日付入りのファイルに書き出し、ファイルとして受け取る'
            Code    = @'
$file = Export-OutlookMobileDevice -Path (Join-Path ([IO.Path]::GetTempPath()) "outlook-mobile-$(Get-Date -Format yyyyMMdd).csv") -Force -Quiet -PassThru
$file.FullName
'@
            Remarks = '要約行は表示されません。返された FileInfo はアップロードやメールへの添付に使えます。'
        }
        @{
            Title   = '古い日本語対応ツール向けに Shift_JIS で書き出す'
            Code    = @'
[cultureinfo]::CurrentCulture = 'ja-JP'
Export-OutlookMobileDevice -Path ./outlook-mobile-sjis.csv -Encoding shift_jis
'@
            Remarks = '日時は日本の形式、文字はコード ページ 932 で書き込まれます。値にコード ページ 932 で表せない文字 (一部の中国語や韓国語の名前など) があると、エクスポートは中止され、端末とプロパティが示され、ファイルは書き込まれません。その場合は utf8BOM で書き出してください。デモのテナントには韓国語や中国語の名前があるため、この方法で中止されます。カルチャによっては日時の形式自体にそのような文字が含まれるため (en-US では AM/PM の前に狭いノーブレーク スペースが入ります)、この例では ja-JP を設定しています。'
        }
        @{
            Title   = '日時の形式をカルチャで指定する'
            Code    = @'
[cultureinfo]::CurrentCulture = 'ja-JP'
Export-OutlookMobileDevice -Path ./outlook-mobile.csv -Force
'@
            Remarks = '日時は 2024/04/21 18:13:05 のように、ja-JP で Export-Csv が書き込むのと同じ形式になります。'
        }
        @{
            Title   = '所有者が QR コードを使った端末に印を付ける'
            Code    = @'
Export-OutlookMobileDevice -Path ./outlook-mobile-evidence.csv -IncludeSigninEvidence -Force
Import-Csv ./outlook-mobile-evidence.csv | Where-Object { [int]$_.TransferSignInCount -gt 0 } | Select-Object UserDisplayNameNew, FriendlyName, TransferFirstSignIn, TransferLastSignIn
'@
            Remarks = '既定のエクスポートと同じ列のあとに TransferSignInCount、TransferFirstSignIn、TransferLastSignIn が続きます。要約行には、認証転送によるサインインがある端末とユーザーの数も表示されます。-EvidenceSince (Get-Date).AddDays(-7) を指定すると過去 1 週間だけを調べます。'
        }
        @{
            Title   = '現在の ExchangeOnlineManagement モジュールの列で書き出す'
            Code    = 'Export-OutlookMobileDevice -Path ./outlook-mobile-v3.csv -Layout ExchangeOnlineManagement'
            Remarks = 'PSComputerName、RunspaceId、PSShowComputerName はなく、現在の Get-MobileDevice が返す順序の 40 プロパティのあとに UserDisplayNameNew (AO 列) が続きます。公開されている手順に従う場合は既定のレイアウト (UserDisplayName は O 列、UserDisplayNameNew は AP 列) を使ってください。'
        }
        @{
            Title   = 'Outlook モバイルに限らず、すべての ActiveSync 端末を書き出す'
            Code    = 'Export-OutlookMobileDevice -Path ./all-activesync.csv -AnyDeviceModel'
            Remarks = '列は同じで、すべての機種の端末が含まれます。'
        }
    )
    Notes       = @'
Get-MobileDevice を実行できる Exchange Online のセッションが必要です。Exchange 管理者ロール (アプリ専用のサインインではさらに Exchange.ManageAsApp) を付与してください。

主なエラーと対処: 「already exists」(ファイルが存在する) - -Force を付けるか、別の名前を指定します。「does not exist」(フォルダーが存在しない) - フォルダーを作成するか、-Force を付けます。「access ... was denied」(アクセス拒否) - フォルダーへの権限を確認するか、Excel などでファイルを開いている場合は閉じます。shift_jis で「cannot represent」(表せない文字) - utf8BOM を使います。

Import-Csv でファイルを読み込めます。数式の無害化が有効な場合、=、+、-、@ で始まっていた値には先頭のアポストロフィが残ります。
'@
    Links       = @('Get-OutlookMobileDevice', 'Get-OutlookQrSigninEvidence', 'Revoke-OutlookMobileSignin', 'Disable-OutlookQrSignin')
}
