@{
    Synopsis    = 'Block-OutlookAuthenticationTransfer が作成した条件付きアクセス ポリシーを削除します。それ以外には触れません。'
    Description = @'
Unblock-OutlookAuthenticationTransfer は、このモジュール自身の条件付きアクセス ポリシー "OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)" を削除します。ほかのポリシーには決して触れません。認証転送をブロックするほかのポリシーも同じです。誰かが同等のポリシーを手動で作成していれば、そのポリシーは残り、QR コード サインインはブロックされたままです。

このモジュールは、自身のポリシーを名前と形 (許可コントロールが Block だけ、認証フローが "authenticationTransfer" だけ、セッション コントロールなし) の両方で見分けます。このモジュールの名前を持つが形の異なるポリシーは削除しません。ポリシーと異なる点を示すエラー (OwnPolicyShapeMismatch) で停止します。

Block-OutlookAuthenticationTransfer と同じく、まず計画を立て (ポリシーを読み取るだけで、何も書き込みません)、-WhatIf または -Confirm で要求 (DELETE とポリシーのパス) を表示します。影響度は High なので、既定で確認を求めます。このモジュールのポリシーがない場合は何もすることがないため、結果は理由付きの Action None になり、確認も求めません。

アクセス許可: Policy.Read.All と Policy.ReadWrite.ConditionalAccess (アプリケーション)。委任されたアクセスでは、条件付きアクセス管理者またはセキュリティ管理者のロールも必要です。条件付きアクセスにはテナントに Microsoft Entra ID P1 が必要です。

結果には Action (Delete または None)、Changed、DisplayName、PolicyId、State、Reason が含まれます。
'@
    Parameters  = @{
        Session = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = '削除される内容を確認する'
            Code    = 'Unblock-OutlookAuthenticationTransfer -WhatIf'
            Remarks = '"What if: Delete the Conditional Access policy ... DELETE /v1.0/identity/conditionalAccess/policies/<id>" を表示し、何も削除しません。このモジュールのポリシーがない場合は、代わりに Action None を返します。'
        }
        @{
            Title   = '確認なしでポリシーを削除する (テスト用テナントなど)'
            Code    = 'Unblock-OutlookAuthenticationTransfer -Confirm:$false | Format-List Action, Changed, DisplayName, Reason'
            Remarks = 'このモジュールのポリシーを削除します。2 回目の実行では Action None、Changed False が返ります。'
        }
    )
    Links       = @('Block-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin')
}
