@{
    Synopsis    = 'Outlook on the web の「Get Outlook mobile」プロンプトを非表示にし、ユーザーがそこから QR コード サインインを始められないようにします。'
    Description = @'
Disable-OutlookQrSignin は、Exchange Online の組織構成で MobileAppEducationEnabled を False に設定します (Set-OrganizationConfig)。これにより Outlook on the web は、サインイン用の QR コードを表示する「Get Outlook mobile」/「Always connected to Outlook」プロンプトを表示しなくなります。

先に現在の値を読み取り、異なる場合にだけ書き込みます。そのため、もう一度実行しても何も変わりません (-Verbose を付けるとその旨が表示されます)。-PassThru を付けると、組織名、新しい値、以前の値、変更があったかどうかを返します。

変更はすぐには反映されません。Microsoft の管理者向け記事「Use a QR code to sign-in to the Outlook mobile apps」には、Exchange PowerShell のコマンドを使った場合「changes may take up to 8 hours to propagate」(反映まで最大 8 時間かかることがある) とあります。それまでの間や、すでに開いている Outlook on the web のセッションでは、プロンプトが表示されることがあります。

このコマンドレットが行わないこと: すでに QR コードを読み取った端末は切断されず、サインイン セッションも終了しません。また、Entra ID の認証転送フローもブロックしません。すべてのクライアントでこれを止めるのは、認証転送をブロックする条件付きアクセス ポリシーです。変更後に表示される警告も、この点を伝えます。

QR コードで接続済みの端末を止めるには、そのブロックを有効化してください (Block-OutlookAuthenticationTransfer -Enforce)。Microsoft の「Conditional Access: Authentication flows」のページによると、認証転送で始まったセッションはプロトコル追跡され、「Any protocol tracked sessions are subject to policy enforcement if a policy exists」、その状態は「is sustained through subsequent refreshes」とされています。したがって、それらのセッションは次回のトークン更新時に止まり、ユーザーのほかのサインインには影響しません。これは Microsoft の説明であり、本モジュールは実テナントで確認していません。今すぐ切断する必要があるユーザーや、別の方法で接続された端末のユーザーは、Get-OutlookQrSigninEvidence または Get-OutlookMobileDevice で見つけ、Revoke-OutlookMobileSignin でセッションを取り消してください。

-IncludeOwaAccountTransfer を付けると、すべての Outlook on the web メールボックス ポリシーの AccountTransferEnabled も False に設定します (Set-OwaMailboxPolicy)。これは半ば文書化された 3 つ目の層です。Microsoft の Set-OwaMailboxPolicy リファレンスではこのパラメーターは「reserved for internal Microsoft use」とされ、Microsoft365DSC では既定で有効な QR コード サインインのスイッチと説明されています。このスイッチを付けない限り設定されることはありません。先にすべてのポリシーを読み取り、値が異なるポリシーごとに確認を求めます (影響度 High: -Confirm:$false を付けない限り確認します)。すでに False のポリシーには書き込みません。-WhatIf では変更されるポリシーを表示するだけで、何も変更しません。半ば文書化された設定であることを警告し、ポリシーごとに 1 つのオブジェクト (Policy、AccountTransferEnabled、PreviousValue、Changed、Status は Changed または AlreadySet) を返します。サービスが拒否したポリシー (Set-OwaMailboxPolicy を含まない Exchange ロールなど) はその名前を示すエラーになり、ほかのポリシーの設定は続けます。
'@
    Parameters  = @{
        IncludeOwaAccountTransfer = 'すべての Outlook on the web メールボックス ポリシーの AccountTransferEnabled も False に設定します (半ば文書化された設定: Set-OwaMailboxPolicy のリファレンスでは Microsoft 内部用に予約)。値が異なるポリシーごとに影響度 High で確認し、ポリシーごとに 1 つのオブジェクトを返します。このスイッチがなければ OWA メールボックス ポリシーには一切触れません。'
        PassThru = 'Organization、MobileAppEducationEnabled (変更後は False)、PreviousValue、Changed を持つオブジェクトを返します。既定では何も返しません。'
        Session  = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'プロンプトを非表示にする'
            Code    = 'Disable-OutlookQrSignin'
            Remarks = 'MobileAppEducationEnabled を False に設定し、すでに接続している端末は接続されたままであることを警告します。'
        }
        @{
            Title   = 'プロンプトを非表示にして結果を確認する'
            Code    = @'
Disable-OutlookQrSignin -PassThru
Test-OutlookQrSignin
'@
            Remarks = '-PassThru の出力は、初回は PreviousValue が True で Changed が True、2 回目以降は Changed が False になります。続く Test-OutlookQrSignin では Verdict : PromptHidden になります。'
        }
        @{
            Title   = '何が変わるかを確認する'
            Code    = 'Disable-OutlookQrSignin -WhatIf'
            Remarks = '対象の組織と設定される値を表示するだけで、何も変更しません。'
        }
        @{
            Title   = '一連の対処をまとめて行う'
            Code    = @'
Disable-OutlookQrSignin
Export-OutlookMobileDevice -Path ./outlook-mobile.csv
Get-OutlookMobileDevice | Revoke-OutlookMobileSignin
'@
            Remarks = 'プロンプトを非表示にし、これまでに接続した端末を記録として保存してから、その所有者のセッションを取り消します (Revoke-OutlookMobileSignin は -Confirm:$false を付けない限り、ユーザーごとに確認を求めます)。'
        }
        @{
            Title   = '半ば文書化された OWA メールボックス ポリシーのスイッチもオフにする'
            Code    = @'
Disable-OutlookQrSignin -IncludeOwaAccountTransfer -WhatIf
Disable-OutlookQrSignin -IncludeOwaAccountTransfer -Confirm:$false
'@
            Remarks = '1 行目は AccountTransferEnabled が False に設定される OWA メールボックス ポリシーを一覧表示するだけで、何も変更しません。2 行目は確認なしで設定し、ポリシーごとに 1 行を返します (Status は Changed、すでに False だったポリシーは AlreadySet)。'
        }
    )
    Notes       = @'
Set-OrganizationConfig を実行できる Exchange Online のセッションが必要です。Exchange 管理者ロール (アプリ専用のサインインではさらに Exchange.ManageAsApp) を付与してください。

影響度は Medium のため、既定では確認を求めません。確認したい場合は -Confirm を付けてください。

-IncludeOwaAccountTransfer には、アプリの Exchange ロールに Get-OwaMailboxPolicy と Set-OwaMailboxPolicy が含まれている必要があります (それを含むロールは Get-ManagementRole -Cmdlet Set-OwaMailboxPolicy で確認できます)。Exchange 管理者ロールなら両方を含みます。
'@
    Links       = @('Test-OutlookQrSignin', 'Enable-OutlookQrSignin', 'Get-OutlookMobileDevice', 'Export-OutlookMobileDevice', 'Revoke-OutlookMobileSignin')
}
