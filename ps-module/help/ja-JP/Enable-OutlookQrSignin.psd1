@{
    Synopsis    = 'Outlook on the web の「Get Outlook mobile」プロンプトを再び表示します。QR コード サインインが再び使えるようになります。'
    Description = @'
Enable-OutlookQrSignin は、Exchange Online の組織構成で MobileAppEducationEnabled を True に設定し (Set-OrganizationConfig)、Disable-OutlookQrSignin の変更を元に戻します。Outlook on the web は再びユーザーに「Get Outlook mobile」プロンプトを表示できるようになり、その QR コードを読み取った端末では、端末側でサインインしないまま Outlook アプリがそのユーザーとしてサインインされます。

QR コード サインインを再び開くことになるため、このコマンドレットの影響度は High です。-Confirm:$false を付けない限り確認を求めます。先に現在の値を読み取り、異なる場合にだけ書き込みます。-PassThru を付けると、組織名、新しい値、以前の値、変更があったかどうかを返します。

端末、セッション、条件付きアクセス ポリシーには影響しません。認証転送をブロックする条件付きアクセス ポリシーがあれば、プロンプトが表示されても QR サインインは Entra ID でブロックされます。

-IncludeOwaAccountTransfer を付けると、すべての Outlook on the web メールボックス ポリシーの AccountTransferEnabled も True に戻します (半ば文書化された 3 つ目の層。Disable-OutlookQrSignin を参照)。値が異なるポリシーごとに確認を求め (影響度 High)、すでに True のポリシーには書き込まず、ポリシーごとに 1 つのオブジェクトを返します。Disable-OutlookQrSignin -IncludeOwaAccountTransfer の前から False だったポリシーも含め、すべてのポリシーで True になる点に注意してください。
'@
    Parameters  = @{
        IncludeOwaAccountTransfer = 'すべての Outlook on the web メールボックス ポリシーの AccountTransferEnabled も True に設定します (半ば文書化された設定: Set-OwaMailboxPolicy のリファレンスでは Microsoft 内部用に予約)。値が異なるポリシーごとに影響度 High で確認し、ポリシーごとに 1 つのオブジェクトを返します。このスイッチがなければ OWA メールボックス ポリシーには一切触れません。'
        PassThru = 'Organization、MobileAppEducationEnabled (変更後は True)、PreviousValue、Changed を持つオブジェクトを返します。既定では何も返しません。'
        Session  = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'プロンプトを再び表示する'
            Code    = 'Enable-OutlookQrSignin'
            Remarks = '確認のあと、MobileAppEducationEnabled を True に設定します。'
        }
        @{
            Title   = 'スクリプトで確認なしに設定を戻す'
            Code    = 'Enable-OutlookQrSignin -Confirm:$false -PassThru'
            Remarks = 'Organization、MobileAppEducationEnabled (True)、PreviousValue、Changed を返します。'
        }
        @{
            Title   = '何が変わるかを確認する'
            Code    = 'Enable-OutlookQrSignin -WhatIf'
            Remarks = '何も変更しません。'
        }
        @{
            Title   = 'OWA メールボックス ポリシーのスイッチを元に戻す'
            Code    = 'Enable-OutlookQrSignin -IncludeOwaAccountTransfer'
            Remarks = 'プロンプトについて確認したあと、AccountTransferEnabled が True でない OWA メールボックス ポリシーごとに確認を求めます。'
        }
    )
    Notes       = @'
Disable-OutlookQrSignin と同じ権限が必要です。Exchange 管理者ロール (アプリ専用のサインインではさらに Exchange.ManageAsApp) を付与してください。

-IncludeOwaAccountTransfer には、アプリの Exchange ロールに Get-OwaMailboxPolicy と Set-OwaMailboxPolicy が含まれている必要があります (それを含むロールは Get-ManagementRole -Cmdlet Set-OwaMailboxPolicy で確認できます)。Exchange 管理者ロールなら両方を含みます。
'@
    Links       = @('Disable-OutlookQrSignin', 'Test-OutlookQrSignin')
}
