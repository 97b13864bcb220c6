@{
    Synopsis    = 'Entra ID で認証転送 (Outlook の QR コード サインイン) を全ユーザーに対してブロックする条件付きアクセス ポリシーを作成します。最初はレポート専用で、-Enforce で有効にします。'
    Description = @'
Block-OutlookAuthenticationTransfer は、QR コード サインインを ID プロバイダー側でふさぎます。Outlook on the web のプロンプトを非表示にする (Disable-OutlookQrSignin) のは対策の一層にすぎません。QR コード自体は「認証転送 (authentication transfer)」という Entra ID のフローであり、条件付きアクセス ポリシーならすべてのクライアントに対してブロックできます。このコマンドレットが作成するポリシーの名前は "OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)" で、対象はすべてのユーザー、すべてのクラウド アプリ、すべてのクライアント アプリの種類、条件は認証フロー「認証転送」、許可コントロールは「ブロック」です。

処理は 2 段階です。まず計画を立てます。テナントの条件付きアクセス ポリシーを読み取り、-ExcludeUser と -ExcludeGroup をオブジェクト ID に解決し、何をするかを決めます。この段階では何も書き込みません。次に、-WhatIf または -Confirm (影響度が High なので既定で確認を求めます) のあと、表示したとおりの要求を送信します。

- Create: このモジュールのポリシーがなく、全員に対して認証転送をブロックするポリシーもほかにない場合。-Enforce を指定しない限り、新しいポリシーはレポート専用 (enabledForReportingButNotEnforced) です。レポート専用にしておくと、実際にブロックする前に、ブロックされるはずだったユーザーをサインイン ログで確認できます。

- Update: このモジュールのポリシーはあるが、指定と異なる場合。-Enforce はレポート専用のポリシーを有効に切り替え、-ExcludeUser と -ExcludeGroup は除外を置き換えます。-Enforce を指定しなくても、有効なポリシーがレポート専用に戻ることはありません。 だれかがこのモジュールのポリシーに条件 (デバイス プラットフォーム、場所、デバイス フィルター、クライアント アプリケーション、リスク レベル、ユーザー操作、認証コンテキスト) を追加していた場合、更新はそのすべてを明示的に解除します。Microsoft Graph は更新をポリシーにマージするため、要求に含めなかった条件は残るからです。だれかが追加したロールの除外とゲスト/外部ユーザーの除外は保持します。更新後にポリシーを読み戻し、送信した内容になっていなければ、異なる点を示すエラー (PolicyReadBackMismatch) で失敗します。

- None: 指定した状態がすでに成り立っている場合 (このモジュールのポリシー、またはほかの人が作成した同等のポリシー)。何も送信せず、確認も求めません。理由は結果に示されます。何度実行しても安全です。

ほかの人が作成したポリシーを同等とみなすのは、Test-OutlookQrSignin と同じ適用範囲の判定に合格する場合だけです。すなわち、すべてのユーザー、すべてのクラウド アプリ、すべてのクライアント アプリの種類について認証転送をブロックし、適用範囲を狭める条件がなく (Android だけ、一部の場所だけ、危険なサインインだけを対象とするポリシーは同等ではありません)、指定した以外の除外がないこと (ロールの除外、ゲストまたは外部ユーザーの除外も除外に数えます) です。そうでなければこのモジュールのポリシーを作成し、同等とみなさなかったポリシーとその理由を Reason に示します。

このモジュールは、自身のポリシーを名前と形の両方で見分けます。形とは、許可コントロールが Block だけ、認証フローが "authenticationTransfer" だけ、セッション コントロールなし、です。このモジュールの名前を持つが形の異なるポリシー (たとえば MFA を要求する、デバイス コード フローもブロックする) は変更しません。ポリシーと異なる点を示すエラー (OwnPolicyShapeMismatch) で停止します。Entra 管理センターでそのポリシーの名前を変えてから、もう一度実行してください。

ポリシー作成の応答が失われた場合 (接続の切断、壊れた応答、サービスやゲートウェイからの 503 などの 5xx) は、作成要求をそのまま再送しません。ポリシーを読み直して、作成されたかどうかを確かめます。見つからない場合は警告とともに失敗します。もう一度実行しても安全です (既存の状態から計画するため)。

-WhatIf は、送信されるメソッド、パス、JSON 本文をそのまま表示し、何も書き込みません。存在しないユーザーやグループ、複数のグループに一致するグループ名は、何かを書き込む前に拒否されます。

除外は緊急アクセス用 (ブレーク グラス) アカウントのためのものです。除外はそれぞれブロックを通り抜ける道になるため、Test-OutlookQrSignin は判定 (BlockedWithExclusions) でそれらの名前を示します。

接続済みの端末: Microsoft の「Conditional Access: Authentication flows」のページ (プロトコル追跡) によると、認証転送で始まったセッションはプロトコル追跡され、「Any protocol tracked sessions are subject to policy enforcement if a policy exists. Protocol tracking state is sustained through subsequent refreshes.」とされています。したがって、有効化したポリシー (レポート専用ではないもの) は、QR コードで接続済みの端末も次回のトークン更新時に止め、ユーザーのほかのサインインには影響しません (対象を絞った対処)。発行済みのアクセス トークンは有効期限まで有効です。これは Microsoft の説明であり、本モジュールは実テナントで確認していません。今すぐ切断する必要があるユーザーや、別の方法で接続された端末のユーザーは、Revoke-OutlookMobileSignin でセッションを取り消してください。

アクセス許可: Policy.Read.All と Policy.ReadWrite.ConditionalAccess (アプリケーション)。-ExcludeGroup を名前で解決するには Group.Read.All、-ExcludeUser には User.Read.All (または Directory.Read.All) も必要です。委任されたアクセスでは、条件付きアクセス管理者またはセキュリティ管理者のロールも必要です。条件付きアクセスには Microsoft Entra ID P1 が必要で、ない場合はサービスが拒否し、エラーでそのことを示します。Exchange 側の操作 (Disable-OutlookQrSignin、Get-OutlookMobileDevice、Revoke-OutlookMobileSignin) は P1 がなくても使えます。

結果には Action (Create、Update、None)、Changed、DisplayName、PolicyId、State、ExcludedUsers、ExcludedGroups、Reason、Warnings が含まれます。ポリシーを削除するには Unblock-OutlookAuthenticationTransfer を使います。
'@
    Parameters  = @{
        Enforce      = 'ポリシーをレポート専用ではなく有効 (適用) の状態で作成します。またはこのモジュールの既存のレポート専用ポリシーを有効に切り替えます。指定しない場合、新しいポリシーはレポート専用になり、有効なポリシーは有効のままです。'
        ExcludeUser  = 'ポリシーから除外するユーザー (ユーザー プリンシパル名または Entra オブジェクト ID)。通常は 1、2 個のブレーク グラス アカウントです。書き込みの前にそれぞれオブジェクト ID に解決し、存在しないユーザーがあればその名前を示すエラーで停止します。指定すると、このモジュールの既存ポリシーの除外を置き換えます。'
        ExcludeGroup = 'ポリシーから除外するグループ (表示名またはオブジェクト ID)。どのグループにも一致しない名前や複数のグループに一致する名前は、書き込みの前にエラーで停止します (1 つを選ぶにはオブジェクト ID を使ってください)。指定すると、このモジュールの既存ポリシーのグループ除外を置き換えます。'
        Session      = '使用するセッション (Connect-OutlookQrGuard が返したもの)。既定では現在のセッション (このランスペースで最後に接続したセッション。ForEach-Object -Parallel の各反復やスレッド ジョブはそれぞれ別です) を使います。'
    }
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = '作成される内容を確認してから、レポート専用でポリシーを作成する'
            Code    = @'
Block-OutlookAuthenticationTransfer -WhatIf
Block-OutlookAuthenticationTransfer -ExcludeUser breakglass@contoso.onmicrosoft.com -Confirm:$false
'@
            Remarks = '1 行目は "What if: Create the Conditional Access policy ... POST /v1.0/identity/conditionalAccess/policies" と JSON 本文を表示し、何も書き込みません。2 行目はブレーク グラス アカウントを除外してレポート専用のポリシーを作成します。適用する前に、しばらくサインイン ログ (条件付きアクセスのレポート専用の結果) を確認してください。'
        }
        @{
            Title   = 'レポート専用で問題がないことを確認してから適用する'
            Code    = 'Block-OutlookAuthenticationTransfer -Enforce -ExcludeGroup ''Break Glass Accounts'''
            Remarks = '確認を求めたあと、このモジュールのポリシーを有効に切り替え、Break Glass Accounts グループのメンバーを除外します (以前の除外は置き換えられます)。もう一度実行すると、結果は Action None、Changed False になります。'
        }
        @{
            Title   = '結果を確認する'
            Code    = 'Block-OutlookAuthenticationTransfer -Enforce -Confirm:$false; (Test-OutlookQrSignin).Verdict'
            Remarks = '適用したポリシーに除外がなければ Blocked、除外があれば BlockedWithExclusions になります。'
        }
    )
    Links       = @('Unblock-OutlookAuthenticationTransfer', 'Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Disable-OutlookQrSignin', 'Connect-OutlookQrGuard')
}
