@{
    Synopsis    = 'Outlook on the web の「Get Outlook mobile」プロンプトを再び表示します。QR コード サインインが再び使えるようになります。'
    Description = @'
Enable-OutlookQrSignin は、Exchange Online の組織構成で MobileAppEducationEnabled を True に設定し (Set-OrganizationConfig)、Disable-OutlookQrSignin の変更を元に戻します。Outlook on the web は再びユーザーに「Get Outlook mobile」プロンプトを表示できるようになり、その QR コードを読み取った端末では、端末側でサインインしないまま Outlook アプリがそのユーザーとしてサインインされます。

QR コード サインインを再び開くことになるため、このコマンドレットの影響度は High です。-Confirm:$false を付けない限り確認を求めます。先に現在の値を読み取り、異なる場合にだけ書き込みます。-PassThru を付けると、組織名、新しい値、以前の値、変更があったかどうかを返します。

端末、セッション、条件付きアクセス ポリシーには影響しません。認証転送をブロックする条件付きアクセス ポリシーがあれば、プロンプトが表示されても QR サインインは Entra ID でブロックされます。
'@
    Parameters  = @{
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
    )
    Notes       = @'
Disable-OutlookQrSignin と同じ権限が必要です。Exchange 管理者ロール (アプリ専用のサインインではさらに Exchange.ManageAsApp) を付与してください。
'@
    Links       = @('Disable-OutlookQrSignin', 'Test-OutlookQrSignin')
}
