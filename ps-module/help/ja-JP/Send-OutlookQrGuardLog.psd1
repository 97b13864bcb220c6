@{
    Synopsis    = 'チェック結果、ドリフトの差分、QR コードによるサインインを、Azure Monitor のログ インジェスト API で Log Analytics / Microsoft Sentinel に送信します。'
    Description = @'
Send-OutlookQrGuardLog は、Log Analytics のカスタム テーブル (既定ではデータ収集ルールのストリーム Custom-OutlookQrGuard) に行を書き込みます。Microsoft Sentinel の分析ルールやブックから利用できます。各行には TimeGenerated、EntraTenantId、Organization、RecordType、ModuleVersion と、種類ごとの列があります。

- CheckResult (-SkipCheck を指定しない限り 1 行): Test-OutlookQrSignin と同じチェックの結果。Verdict、PromptEnabled、ConditionalAccessState、Exposed、BlockingPolicies、Detail。
- DriftDifference (パイプラインで渡したオブジェクトごとに 1 行): 渡したオブジェクトの What、From、To、Severity プロパティから DriftWhat、DriftFrom、DriftTo、Severity (ドリフト コマンドレットの OutlookQrGuard.DriftDifference オブジェクト、またはこれらのプロパティを持つ任意のオブジェクト)。
- TransferSignin (-IncludeEvidence 指定時): 認証の転送によるサインインごとに 1 行 (Get-OutlookQrSigninEvidence と同じ)。TimeGenerated はサインインの時刻。UserPrincipalName、UserId、AppId、AppDisplayName、IpAddress、Location、SigninId、CorrelationId、Succeeded。

テーブルの列、データ収集ルール、KQL クエリ 2 つは README の「Send results to Log Analytics / Sentinel」にあります。

行は gzip 圧縮した JSON 配列として、1 回あたり最大 1,000,000 バイトずつ順番に送信します (API は 1 MB を超える呼び出しを拒否します)。1 回で送れないほど大きい行があると、何も送信する前にその行を示して停止します。Azure Monitor が調整 (HTTP 429) や一時的な失敗 (5xx) を返したときは、指示された時間 (Retry-After) だけ待って再試行します。Azure Monitor がバッチを拒否するとコマンドは停止し、エラーにはそれまでに受け付けられた行数が示されます。

トークンは現在のセッションの資格情報で Azure Monitor (https://monitor.azure.com。政府機関クラウドと中国クラウドでは .us / .cn) 向けに、行を送信するときにだけ要求します。アプリ、マネージド ID、またはサインインした管理者には、データ収集ルールに対する監視メトリック発行者 (Monitoring Metrics Publisher) ロールが必要です。-AccessToken で接続したセッションには Azure Monitor のトークンがないため送信できません。

-WhatIf は行を作成して、送信される行数、バッチ数、バイト数を数えるだけで、何も送信しません。

戻り値は Rows、CheckRows、DriftRows、EvidenceRows、Batches、Bytes (JSON)、SentBytes (圧縮後)、Elapsed、WhatIf、DataCollectionEndpoint、RuleId、StreamName を持つオブジェクトです。
'@
    Parameters  = @{
        DataCollectionEndpoint = 'ログ インジェスト エンドポイント。データ収集エンドポイント (DCE。例: https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com)、またはデータ収集ルール自体のログ インジェスト エンドポイント。https で、セッションのクラウド (ingest.monitor.azure.com、.us、.cn) のものである必要があります。'
        RuleId                 = 'データ収集ルールのイミュータブル ID。dcr- に 16 進数 32 桁が続く値です (ルールの [概要] ページ、および JSON ビューの immutableId)。ルール名やリソース ID は拒否されます。'
        StreamName             = 'ルールの streamDeclarations で宣言したストリーム。Custom- で始まる必要があります。既定値は README のルールと同じ Custom-OutlookQrGuard です。'
        IncludeEvidence        = 'Entra ID のサインイン ログから、認証の転送 (QR コード) によるサインインごとに 1 行も送信します。AuditLog.Read.All と Entra ID P1 または P2 が必要です。'
        EvidenceSince          = '-IncludeEvidence のサインイン期間の開始日時。既定値は 30 日前です。'
        SkipCheck              = 'チェックを実行せず、CheckResult 行を送信しません。パイプラインで渡したドリフトの差分 (と証跡の行) だけを送信します。'
        What                   = 'ドリフトの差分の設定名。パイプラインで渡したオブジェクトの What プロパティから取ります。What のないオブジェクトは拒否されます。'
        From                   = '変更前の値。パイプラインで渡したオブジェクトの From プロパティから取ります。'
        To                     = '変更後の値。パイプラインで渡したオブジェクトの To プロパティから取ります。'
        Severity               = '差分の重大度。パイプラインで渡したオブジェクトの Severity プロパティから取ります。'
        Session                = '使用するセッション (Connect-OutlookQrGuard の戻り値)。既定では現在のセッション (この実行空間で最後に接続したもの。ForEach-Object -Parallel の各反復とスレッド ジョブはそれぞれ独自のセッションを持ちます) を使用します。'
        WhatIf                 = '送信される行数、バッチ数、バイト数を表示し、何も送信しません。'
        Confirm                = '送信する前に確認します。'
    }
    Inputs      = @('OutlookQrGuard.DriftDifference、または What、From、To、Severity プロパティを持つ任意のオブジェクト')
    Examples    = @(
        @{
            Title   = 'Runbook から毎日チェック結果を送信する'
            Code    = 'Send-OutlookQrGuardLog -DataCollectionEndpoint https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com -RuleId dcr-0a5e3b1c2d4f40a1b2c3d4e5f6a7b8c9'
            Remarks = 'OutlookQrGuard_CL に CheckResult 行が 1 行送られます。Runbook のマネージド ID には、ルールに対する監視メトリック発行者ロールが必要です。'
        }
        @{
            Title   = 'チェック結果と過去 7 日間の QR コード サインインを送信する'
            Code    = 'Send-OutlookQrGuardLog -DataCollectionEndpoint $dce -RuleId $ruleId -IncludeEvidence -EvidenceSince (Get-Date).AddDays(-7)'
            Remarks = '送信した行数とバッチ数が要約行に表示されます。'
        }
        @{
            Title   = 'パイプラインからドリフトの差分を送信する'
            Code    = '$differences | Send-OutlookQrGuardLog -DataCollectionEndpoint $dce -RuleId $ruleId -SkipCheck'
            Remarks = 'What、From、To、Severity を持つオブジェクトごとに DriftDifference 行が 1 行になります。'
        }
        @{
            Title   = '送信される内容を確認する'
            Code    = 'Send-OutlookQrGuardLog -DataCollectionEndpoint $dce -RuleId $ruleId -IncludeEvidence -WhatIf'
            Remarks = '行数、バッチ数、バイト数を数えます。何も送信しません。'
        }
    )
    Links       = @('Test-OutlookQrSignin', 'Get-OutlookQrSigninEvidence', 'Connect-OutlookQrGuard')
}
