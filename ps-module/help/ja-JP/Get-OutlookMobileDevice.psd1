@{
    Synopsis    = 'テナントのメールボックスに接続している Outlook for iOS and Android アプリ (モバイル端末) を一覧表示します。'
    Description = @'
Get-OutlookMobileDevice は、Exchange Online が保持するモバイル端末のパートナーシップを Get-MobileDevice と同じように一覧表示します。既定では DeviceModel が "Outlook for iOS and Android" のもの、つまり QR コード サインインで接続されるスマートフォンやタブレットの Outlook アプリだけを返します。端末は Exchange から届いたページごとにパイプラインへ出力されるため、最初の端末はすぐに表示され、大規模なテナントでもメモリ使用量は増えず、Select-Object -First や Ctrl+C で残りのページの取得を止められます。

各端末には、現在の Get-MobileDevice (ExchangeOnlineManagement 3) が返す 40 プロパティがサービスと同じ順序で含まれ、さらに UserDisplayNameNew が加わります。UserDisplayNameNew は端末を所有するメールボックスの Name (名前) で、Identity の最初の円記号 (\) より前の部分です (Identity は <メールボックスの Name>\ExchangeActiveSyncDevices\<端末の Name> の形で、例えば Lila\ExchangeActiveSyncDevices\REST§Outlook§5eec4e941e0748a264512fd83770d5ac)。日時 (FirstSyncTime、WhenCreated、WhenChanged など) は UTC です。Export-OutlookMobileDevice は既定で、公開されている手順の列で書き出します (-Layout を参照)。既定の表には UserDisplayNameNew、FriendlyName、DeviceOS、DeviceModel、FirstSyncTime、DeviceAccessState が表示されます。すべてを見るには Format-List * を使います。

Exchange では、QR コードで接続した端末と、ユーザーが通常の手順で Outlook アプリにサインインした端末を区別できません。この一覧はすべての Outlook モバイル アプリであり、確認や取り消しの対象となる範囲です。

読み取りだけを行います。結果を Revoke-OutlookMobileSignin にパイプすると所有者のセッションを取り消せます。同じ端末を CSV ファイルに書き出すには Export-OutlookMobileDevice を使います。
'@
    Parameters  = @{
        UserPrincipalName = 'このメールボックスの端末だけを返します。ユーザー プリンシパル名、エイリアス、またはその他のメールボックス ID を指定します。既定ではすべてのメールボックスの端末を返します。存在しないメールボックスはエラーになります。'
        DeviceModel       = 'DeviceModel がこの値の端末だけを返します。既定は "Outlook for iOS and Android" です。ほかのアプリや機種を調べるときに別の値を指定します。'
        AnyDeviceModel    = 'Outlook モバイル アプリだけでなく、すべての機種の ActiveSync 端末 (標準のメール アプリ、Windows メールなど) を返します。-DeviceModel より優先されます。'
        ResultSize        = '返す端末の最大数。正の数または Unlimited (既定) を指定します。さらに端末がある場合は警告が表示されます。'
        Session           = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'テナントに接続している Outlook モバイル アプリを一覧表示する'
            Code    = 'Get-OutlookMobileDevice'
            Remarks = 'アプリごとに 1 行で、メールボックスの表示名、端末の名前・OS・機種、最初に同期した日時 (UTC)、Exchange が許可しているかどうかを表示します。'
        }
        @{
            Title   = '端末数とユーザー数を数える'
            Code    = @'
$devices = Get-OutlookMobileDevice
"{0} devices of {1} users" -f $devices.Count, ($devices.UserDisplayNameNew | Sort-Object -Unique).Count
'@
            Remarks = '取り消しを行う前に、対処の規模をすばやく把握できます。'
        }
        @{
            Title   = '最近接続した端末'
            Code    = 'Get-OutlookMobileDevice | Where-Object FirstSyncTime -gt (Get-Date).ToUniversalTime().AddDays(-30) | Sort-Object FirstSyncTime'
            Remarks = '最初の同期が過去 30 日以内の Outlook モバイル アプリです。FirstSyncTime は UTC なので、UTC の日時と比較します。'
        }
        @{
            Title   = '1 人のユーザーの端末'
            Code    = 'Get-OutlookMobileDevice -UserPrincipalName isaiah.langer@contoso.onmicrosoft.com | Format-List *'
            Remarks = 'そのユーザーの Outlook モバイル アプリについて、すべてのプロパティを表示します。'
        }
        @{
            Title   = 'すべての ActiveSync 端末を機種ごとに集計する'
            Code    = 'Get-OutlookMobileDevice -AnyDeviceModel | Group-Object DeviceModel -NoElement | Sort-Object Count -Descending'
            Remarks = 'Outlook モバイル以外も含めて、どのメール クライアントが Exchange と同期しているかが分かります。'
        }
        @{
            Title   = 'Outlook モバイル アプリを使っている全員のセッションを取り消す'
            Code    = 'Get-OutlookMobileDevice | Revoke-OutlookMobileSignin'
            Remarks = 'ユーザーが何台の端末を持っていても、取り消しはユーザーごとに 1 回です。ユーザーごとに確認を求めます。先に -WhatIf を付けて対象を確認してください。'
        }
    )
    Notes       = @'
Get-MobileDevice を実行できる Exchange Online のセッションが必要です。Exchange 管理者ロール (アプリ専用のサインインではさらに Exchange.ManageAsApp) を付与してください。

Exchange Online は大量の一覧取得を調整 (スロットリング) します。このコマンドレットはサービスの指示に従って待機し、再試行します (-Verbose で各要求が表示されます)。端末が数十万台あるテナントでは、ディスクに直接書き込む Export-OutlookMobileDevice をお勧めします。
'@
    Links       = @('Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin', 'Disable-OutlookQrSignin', 'Test-OutlookQrSignin', 'Get-OutlookQrGuardReport')
}
